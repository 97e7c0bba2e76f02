"""The Matching screen: run in the background, pin, exclude, write the proposals in one
commit, and say why someone is unmatched; checked on the files and commits it makes."""

from __future__ import annotations

import asyncio
import threading

import yaml
from tui_kit import SIZE, clean, commits, make_app, press, settle, text_of

from rmtui.core.matching import suggest, why_unmatched
from rmtui.core.store import Program
from rmtui.tui.dialogs.confirm import ConfirmDialog
from rmtui.tui.screens import matching
from rmtui.tui.screens.matching import EXCLUDED_REASON, ExcludeDialog, MatchingScreen, WhyDialog
from rmtui.tui.widgets.vtable import VirtualTable


def _pair_files(root) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in (root / "pairs").glob("*.yaml")}


async def _run(pilot) -> MatchingScreen:
    await press(pilot, "r")
    screen = pilot.app.screen
    assert isinstance(screen, MatchingScreen) and screen.run is not None
    return screen


def _to_row(screen: MatchingScreen, status: str) -> tuple:
    table = screen.query_one("#proposals", VirtualTable)
    for i in range(table.row_count):
        if table.row(i)[4] == status:
            table.cursor = i
            return table.row(i)
    raise AssertionError(f"no {status} row")


def test_run_pin_and_write_the_proposals_in_one_commit(demo_copy) -> None:
    root = demo_copy.root
    before_files, before_log = _pair_files(root), commits(root)

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "3")
            screen = app.screen
            assert isinstance(screen, MatchingScreen)
            assert "press r to run" in text_of(screen.query_one("#status"))
            assert screen.query_one("#proposals", VirtualTable).total == 0  # nothing ran

            screen = await _run(pilot)
            expected = suggest(Program(root))
            table = screen.query_one("#proposals", VirtualTable)
            assert table.total == len(expected.pairs) == 27
            assert {(r[1], r[2]) for r in screen.run.proposal_rows} == \
                {(p.mentor, p.mentee) for p in expected.pairs}
            assert "27 pairs (8 new, 19 kept)" in text_of(screen.query_one("#status"))
            pane = text_of(screen.query_one("#detail"))
            assert "Hard rules" in pane and "ok   roles" in pane  # explained in a worker

            row = _to_row(screen, "new")
            await press(pilot, "p")
            pin = (row[1], row[2])
            assert screen.pins == {pin}
            assert table.cursor_row[4] == "pinned"
            assert f"Pinned: {row[1]} > {row[2]}" in text_of(screen.query_one("#inputs"))

            screen = await _run(pilot)  # the pin goes into the next run
            assert pin in screen.run.suggestion.pins
            pinned = [p for p in screen.run.suggestion.pairs if (p.mentor, p.mentee) == pin]
            assert pinned and pinned[0].why == "pinned"
            to_write = {(p.mentor, p.mentee) for p in screen.run.suggestion.to_write}
            assert pin in to_write and len(to_write) == 8

            await press(pilot, "w")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "y")
            assert isinstance(app.screen, MatchingScreen)
            assert "Written: proposed 8 pairs" in text_of(screen.query_one("#status"))

        after = _pair_files(root)
        new = {k: v for k, v in after.items() if k not in before_files}
        assert {(d["mentor"], d["mentee"]) for d in new.values()} == to_write
        assert all(d["status"] == "proposed" and str(d["match"]["run"]) == "2027-03-01"
                   for d in new.values())
        log = commits(root)
        assert log[1:] == before_log  # exactly one new commit
        assert log[0].startswith("pair: propose 8 pairs (run 2027-03-01)")
        assert clean(root)

    asyncio.run(flow())


def test_why_unmatched_lists_each_candidate_with_the_reason(demo_copy) -> None:
    root = demo_copy.root

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            screen = await _run(pilot)
            await pilot.press("u")  # to the Unmatched list
            await settle(pilot)
            people = screen.query_one("#unmatched", VirtualTable)
            sug = screen.run.suggestion
            assert people.has_focus and people.total == len(sug.unmatched) == 5
            first = sug.unmatched[0]
            assert people.cursor_key == first.id
            assert "matched better elsewhere" in text_of(screen.query_one("#detail"))

            await press(pilot, "enter")
            dialog = app.screen
            assert isinstance(dialog, WhyDialog) and dialog.person == first.id
            found = why_unmatched(Program(root), first.id, suggestion=suggest(Program(root)))
            table = dialog.query_one("#why-table", VirtualTable)
            shown = [table.row(i) for i in range(table.row_count)]
            assert sorted(r[:2] for r in shown) == sorted((w.candidate, w.outcome) for w in found)
            priced = [r for r in shown if r[3]]
            assert priced and shown[:len(priced)] == priced  # alternatives with a price first
            found = matching.priced_first(found)
            assert shown[0][4] == found[0].message and "changing that: total score" in shown[0][4]
            assert text_of(dialog.query_one("#why-detail")).startswith(
                f"{found[0].candidate} ({found[0].outcome}): ")
            await press(pilot, "escape")
            assert app.screen is screen
        assert clean(root)

    asyncio.run(flow())


def test_an_excluded_person_leaves_the_next_run_and_comes_back(demo_copy) -> None:
    root = demo_copy.root
    before = commits(root)

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            screen = await _run(pilot)
            row = _to_row(screen, "new")
            await press(pilot, "x")
            assert isinstance(app.screen, ExcludeDialog)
            await pilot.press("e")  # the mentee
            await settle(pilot)
            assert screen.excluded == {row[2]}
            assert "not in this run yet" in text_of(screen.query_one("#inputs"))
            await pilot.press("w")  # the run no longer matches what is shown: refused
            await settle(pilot)
            assert isinstance(app.screen, MatchingScreen)

            screen = await _run(pilot)
            assert row[2] not in {p.mentee for p in screen.run.suggestion.pairs}
            assert screen.run.reasons[row[2]] == ("mentee", EXCLUDED_REASON)
            await press(pilot, "t")
            screen.query_one("#unmatched", VirtualTable).move_to(row[2])
            await pilot.press("x")  # include them again
            await press(pilot, "r")
            assert screen.excluded == set() and row[2] in {
                p.mentee for p in screen.run.suggestion.pairs}
        assert commits(root) == before and clean(root)

    asyncio.run(flow())


def test_a_second_r_while_running_starts_over(demo_copy, monkeypatch) -> None:
    """The first run stops at its next progress report; only the second one is shown."""
    import rmtui.core.matching as core

    real = core.suggest
    gate = threading.Event()
    calls: list[str] = []

    def slow(program, **kw):
        progress = kw["progress"]
        calls.append("start")
        progress("loading", 0.0)
        gate.wait(5)
        progress("scoring", 0.5)  # a cancelled run raises here
        calls.append("done")
        return real(program, **kw)

    monkeypatch.setattr(core, "suggest", slow)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            await pilot.press("r")
            await pilot.pause()
            screen = app.screen
            assert screen.running and "Running: loading" in text_of(screen.query_one("#status"))
            await pilot.press("r")
            await pilot.pause()
            gate.set()
            await settle(pilot)
            assert calls == ["start", "start", "done"]
            assert not screen.running and screen.run is not None
            assert screen.query_one("#proposals", VirtualTable).total == 27

            gate.clear()
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("escape")  # stops it; nothing is shown from it
            gate.set()
            await settle(pilot)
            assert not screen.running and calls[-1] == "start"

    asyncio.run(flow())


def test_a_failed_run_says_why_and_a_change_on_disk_marks_the_run_old(demo_copy,
                                                                     monkeypatch) -> None:
    import rmtui.core.matching as core
    from rmtui.core.errors import UsageError

    real = core.suggest

    def refuse(program, **kw):
        raise UsageError("pin x:y breaks [grade]", hint="unpin it")

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3")
            monkeypatch.setattr(core, "suggest", refuse)
            await press(pilot, "r")
            screen = app.screen
            assert not screen.running and screen.run is None
            assert "press r to run" in text_of(screen.query_one("#status"))
            shown = [n.message for n in app._notifications]
            assert any("pin x:y breaks [grade]" in m and "hint: unpin it" in m for m in shown)

            monkeypatch.setattr(core, "suggest", real)
            screen = await _run(pilot)
            app.data_version += 1  # what the app does when files change on disk
            await settle(pilot)
            assert "program changed since this run" in text_of(screen.query_one("#status"))

    asyncio.run(flow())


def test_summary_fits_a_line_of_80_columns(demo_copy) -> None:
    sug = suggest(demo_copy)
    line = matching.summary(sug)
    assert len(line) <= 78, line
    assert matching.short_reason(sug.unmatched[0].reason).endswith("elsewhere")


# -- snapshots --------------------------------------------------------------------


def test_snapshot_a_run_with_a_pair_selected(snap_compare, demo_copy) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("3")
        await press(pilot, "r")
        for _ in range(4):
            await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=run_before)


def test_snapshot_why_unmatched(snap_compare, demo_copy) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("3")
        await press(pilot, "r")
        await press(pilot, "u")
        await press(pilot, "enter")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=run_before)
