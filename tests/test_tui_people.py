"""People: the table, type-to-filter, schema forms with inline errors, the reference check."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static
from tui_kit import SIZE, clean, commits, make_app, press, run, settle, text_of

from rmtui.core import yamlio
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.dialogs.form import FormDialog
from rmtui.tui.widgets.vtable import VirtualTable


async def _open_people(pilot) -> VirtualTable:
    await press(pilot, "2")
    return pilot.app.screen.query_one(VirtualTable)


def test_people_lists_every_participant_and_filters_as_you_type(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            assert table.total == len(demo_copy.ids("participant")) == 60
            await pilot.press("m", "e", "n", "t", "o", "r")  # typing on the table filters
            await settle(pilot)
            box = app.screen.query_one("#filter", Input)
            assert box.value == "mentor"
            assert 0 < table.row_count < 60
            roles = {table.row(i)[2] for i in range(table.row_count)}
            assert roles == {"mentor"}
            assert text_of(app.screen.query_one("#people-count", Static)).startswith(
                f"{table.row_count} of 60")
            await pilot.press("escape")
            assert table.row_count == 60

    run(flow())


def test_the_load_runs_with_the_cycle_collector_off_and_is_frozen_after(
        demo_copy, monkeypatch) -> None:
    """A full collection in the loading thread holds the GIL over everything loaded so
    far (40-85 ms at 10,000 people): the event loop would wait for it."""
    import gc

    from rmtui.tui.screens import people

    seen = []

    def rows_of(columns):
        seen.append(gc.isenabled())
        return original(columns)

    original = people.rows_of
    monkeypatch.setattr(people, "rows_of", rows_of)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            gc.unfreeze()
            await _open_people(pilot)
            assert seen == [False]
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0

    try:
        run(flow())
    finally:
        gc.unfreeze()


def test_sorting_by_column_and_the_detail_pane(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            await pilot.press("s")  # sort by the first column
            keys = [table.row(i)[0] for i in range(table.row_count)]
            assert keys == sorted(keys)
            await pilot.press("S")
            assert [table.row(i)[0] for i in range(table.row_count)] == sorted(keys, reverse=True)
            await press(pilot, "down")
            pid = table.cursor_key
            pane = text_of(app.screen.query_one("#person", Static))
            assert pane.startswith(pid)
            assert f"name: {demo_copy.get('participant', pid)['name']}" in pane

    run(flow())


def test_adding_with_a_mistake_shows_it_beside_the_field_and_writes_nothing(demo_copy) -> None:
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open_people(pilot)
            await press(pilot, "a")
            form = app.screen
            assert isinstance(form, FormDialog)
            await pilot.press(*"Zoë", "space", *"Tester")  # typed: the name has the focus
            assert form.query_one("#field-name", Input).value == "Zoë Tester"
            form.query_one("#field-grade", Input).value = "senior"  # not a number
            form.query_one("#field-joined", Input).value = "2027-13-45"  # not a date
            await press(pilot, "ctrl+s")
            assert app.screen is form  # still open: nothing was saved
            assert "grade" in text_of(form.query_one("#error-grade", Static))
            assert text_of(form.query_one("#error-joined", Static))
            assert not text_of(form.query_one("#error-name", Static))
            # the role is required: the schema's own message shows beside nothing but the form
            form.query_one("#field-grade", Input).value = "2"
            form.query_one("#field-joined", Input).value = ""
            await press(pilot, "ctrl+s")
            assert app.screen is form
            assert "role" in text_of(form.query_one("#error-general", Static)) + text_of(
                form.query_one("#error-role", Static))

    run(flow())
    assert commits(demo_copy.root) == before
    assert not (demo_copy.root / "participants" / "zoe-tester.yaml").exists()
    assert clean(demo_copy.root)


def test_adding_a_valid_person_writes_one_file_in_one_commit(demo_copy) -> None:
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            await press(pilot, "a")
            form = app.screen
            form.query_one("#field-name", Input).value = "Zoë Tester"
            form.query_one("#field-role").value = "mentor"
            form.query_one("#field-grade", Input).value = "2"
            form.query_one("#field-skills", Input).value = "Python, Teams"
            await pilot.press("ctrl+s")
            await settle(pilot, 5)
            assert not isinstance(app.screen, FormDialog)
            assert table.total == 61

    run(flow())
    data = yamlio.parse((demo_copy.root / "participants/zoe-tester.yaml").read_bytes(),
                        "x").data
    assert data["name"] == "Zoë Tester" and data["role"] == "mentor" and data["grade"] == 2
    assert data["skills"] == ["Python", "Teams"]
    assert commits(demo_copy.root) == ["participant: add zoe-tester (Zoë Tester)", *before]
    assert clean(demo_copy.root)


def _first_with_refs(program) -> str:
    pair = next(iter(program.data("pair").values()))
    return pair["mentor"]


def test_editing_changes_only_the_fields_touched_in_one_commit(demo_copy) -> None:
    pid = sorted(demo_copy.ids("participant"))[0]
    path = demo_copy.root / "participants" / f"{pid}.yaml"
    before_text = path.read_text(encoding="utf-8")

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            assert table.cursor_key == pid
            await press(pilot, "e")
            app.screen.query_one("#field-department", Input).value = "Strategy"
            await pilot.press("ctrl+s")
            await settle(pilot, 5)

    run(flow())
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before_text.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert changed == [(next(x for x in before_text.splitlines()
                             if x.startswith("department:")), "department: Strategy")]
    assert commits(demo_copy.root)[0] == f"participant: edit {pid} (department)"


def test_an_edit_of_a_file_changed_on_disk_since_shown_is_refused(demo_copy) -> None:
    pid = sorted(demo_copy.ids("participant"))[0]
    path = demo_copy.root / "participants" / f"{pid}.yaml"
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open_people(pilot)
            await press(pilot, "e")
            # another owner changes the file while the form is open
            path.write_text(path.read_text(encoding="utf-8").replace(
                "status: active", "status: paused"), encoding="utf-8")
            app.screen.query_one("#field-department", Input).value = "Strategy"
            await press(pilot, "ctrl+s")
            form = app.screen
            assert isinstance(form, FormDialog)
            assert "changed on disk since it was shown" in text_of(
                form.query_one("#error-general", Static))

    run(flow())
    assert "Strategy" not in path.read_text(encoding="utf-8")
    assert commits(demo_copy.root) == before


def test_removing_someone_still_referred_to_asks_and_says_by_what(demo_copy) -> None:
    pid = _first_with_refs(demo_copy)
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            table.move_to(pid)
            await settle(pilot)
            await press(pilot, "x")
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            assert "pairs/" in dialog.body and "still referred to" in dialog.title_text
            await press(pilot, "escape")

    run(flow())
    assert (demo_copy.root / "participants" / f"{pid}.yaml").exists()
    assert commits(demo_copy.root) == before


def test_removing_someone_unreferenced_is_one_commit(demo_copy) -> None:
    from rmtui.core import ops

    ops.add(demo_copy, "participant", {"name": "Temp Person", "role": "mentor", "grade": 1})
    before = commits(demo_copy.root)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            table = await _open_people(pilot)
            assert table.move_to("temp-person")
            await settle(pilot)
            await press(pilot, "x")
            await pilot.press("y")
            await settle(pilot, 5)

    run(flow())
    assert not (demo_copy.root / "participants" / "temp-person.yaml").exists()
    assert commits(demo_copy.root) == ["participant: remove temp-person", *before]


@pytest.mark.parametrize("size", [SIZE, (120, 35)])
def test_snapshot_people(snap_compare, demo_copy, size) -> None:
    async def before(pilot) -> None:
        await press(pilot, "2")
        await press(pilot, "down", "down")

    assert snap_compare(make_app(demo_copy.root), terminal_size=size, run_before=before)


def test_snapshot_add_form_with_errors(snap_compare, demo_copy) -> None:
    async def before(pilot) -> None:
        await press(pilot, "2")
        await press(pilot, "a")
        pilot.app.screen.query_one("#field-name", Input).value = "Zoë Tester"
        pilot.app.screen.query_one("#field-grade", Input).value = "senior"
        await press(pilot, "ctrl+s")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=before)


def test_the_add_check_says_every_problem_at_once_a_blank_name_beside_the_name(
        demo_copy) -> None:
    from rmtui.core.store import Program
    from rmtui.tui import forms

    _, errors = forms.check_add(Program(demo_copy.root), "participant",
                                {"name": " ", "role": "mentor", "grade": "senior",
                                 "email": "not-an-address"})
    assert errors["name"].startswith("needed")
    assert "whole number" in errors["grade"]
    assert "email" in errors
    _, errors = forms.check_add(Program(demo_copy.root), "participant",
                                {"name": "Zoë Tester", "role": "mentor", "grade": "2"})
    assert errors == {}
