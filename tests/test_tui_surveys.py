"""Surveys: who has answered what, per survey and per person; the confidence delta."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.widgets import Static
from tui_kit import SIZE, clean, commits, make_app, press, run, settle, text_of

from rmtui.core.ops import surveys
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.people import PeopleScreen
from rmtui.tui.screens.surveys import SurveysScreen
from rmtui.tui.widgets.vtable import VirtualTable

ANSWERS = {"confidence-tools": 4, "confidence-social": 4, "confidence-data": 3,
           "confidence-ways-of-working": 4}




def _on_disk(root: Path) -> dict[str, tuple[int, int, int]]:
    """(sent, answered, pending) per survey, counted from the response files themselves."""
    out = {}
    for folder in sorted((root / "responses").iterdir()):
        statuses = [yaml.safe_load(p.read_text(encoding="utf-8")).get("status", "submitted")
                    for p in folder.glob("*.yaml")]
        out[folder.name] = (len(statuses), statuses.count("submitted"), statuses.count("sent"))
    return out


def _pending(root: Path, survey: str) -> list[str]:
    return sorted(p.stem for p in (root / "responses" / survey).glob("*.yaml")
                  if "status: sent" in p.read_text(encoding="utf-8"))


async def _open(pilot) -> tuple[VirtualTable, VirtualTable]:
    await press(pilot, "5")
    assert isinstance(pilot.app.screen, SurveysScreen)
    return (pilot.app.screen.query_one("#surveys", VirtualTable),
            pilot.app.screen.query_one("#answers", VirtualTable))


def test_counts_per_survey_and_the_people_of_the_selected_one(demo_copy) -> None:
    root = demo_copy.root
    counted = _on_disk(root)
    assert counted["baseline"] == (42, 40, 2)  # the seeded demo
    pending = _pending(root, "baseline")

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            table, people = await _open(pilot)
            shown = {table.row(i)[0]: table.row(i)[3:6] for i in range(table.row_count)}
            assert shown == counted
            assert table.row(0)[:3] == ("baseline", "Baseline self-assessment", "baseline")
            assert table.row(0)[6] == "95%"
            line = text_of(app.screen.query_one("#survey-line", Static))
            assert line.startswith("baseline: sent to 42, 40 answered, 2 not answered")
            assert people.total == 42
            statuses = {people.row(i)[0]: people.row(i)[3] for i in range(people.row_count)}
            assert sorted(p for p, s in statuses.items() if s == "pending") == pending
            assert set(statuses.values()) == {"answered", "pending"}  # words, not colours
            first = people.row(0)
            assert first[1] == demo_copy.get("participant", first[0])["name"]
            # p: only those who have not answered
            await press(pilot, "p")
            assert [people.row(i)[0] for i in range(people.row_count)] == pending
            assert "showing only those not answered" in text_of(
                app.screen.query_one("#survey-line", Static))
            # another survey
            await press(pilot, "down")
            assert table.cursor_key == "exit"
            assert people.total == 0  # nobody pending on exit: all 8 answered
            await press(pilot, "p")
            assert people.total == counted["exit"][0]

    run(flow())


def test_the_confidence_delta_and_its_n(demo_copy) -> None:
    from rmtui.core import kpi

    c = kpi.confidence(demo_copy)
    assert c.n == 3 and c.delta is not None

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await _open(pilot)
            text = text_of(app.screen.query_one("#confidence", Static))
            assert text == (f"Confidence delta {kpi.rounded(c.delta, 2, sign=True)} "
                            f"({kpi.rounded(c.baseline, 2)} before, "
                            f"{kpi.rounded(c.final, 2)} after; n = 3 mentees with both)")
            assert text.startswith("Confidence delta +0.92 (2.83 before, 3.75 after")

    run(flow())


def test_an_answer_recorded_updates_the_counts(demo_copy) -> None:
    root = demo_copy.root
    who = _pending(root, "baseline")[0]

    async def flow() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            table, people = await _open(pilot)
            assert table.row(0)[3:6] == (42, 40, 2)
            app.run_op(surveys.respond, demo_copy, "baseline", who, ANSWERS, on="2027-03-01")
            await settle(pilot)
            assert table.row(0)[3:6] == (42, 41, 1)
            people.move_to(who)
            row = people.cursor_row
            assert (row[0], row[3], row[5]) == (who, "answered", "2027-03-01")

    run(flow())
    assert commits(root)[0] == f"response: {who} answered baseline"
    data = yaml.safe_load((root / f"responses/baseline/{who}.yaml").read_text(encoding="utf-8"))
    assert data["status"] == "submitted" and data["answers"] == ANSWERS
    assert _on_disk(root)["baseline"] == (42, 41, 1)
    assert clean(root)


def test_enter_on_a_person_opens_them_in_people(demo_copy) -> None:
    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            _, people = await _open(pilot)
            await pilot.press("enter")  # from the survey to its people
            assert app.focused is people
            await pilot.press("down", "down")
            pid = people.cursor_key
            await press(pilot, "enter")
            assert isinstance(app.screen, PeopleScreen)
            assert app.screen.query_one("#people", VirtualTable).cursor_key == pid

    run(flow())


def test_opening_a_response_selects_its_survey_and_person(demo_copy) -> None:
    who = _pending(demo_copy.root, "baseline")[-1]

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.post_message(OpenEntity("response", f"final/{who}"))  # not answered there
            await settle(pilot)
            assert isinstance(app.screen, SurveysScreen)
            table = app.screen.query_one("#surveys", VirtualTable)
            people = app.screen.query_one("#answers", VirtualTable)
            assert table.cursor_key == "final"
            app.post_message(OpenEntity("response", f"baseline/{who}"))
            await settle(pilot)
            assert table.cursor_key == "baseline"
            assert people.cursor_key == who
            assert app.focused is people

    run(flow())


@pytest.mark.parametrize("size", [SIZE, (120, 35)])
def test_snapshot_surveys(snap_compare, demo_copy, size) -> None:
    async def before(pilot) -> None:
        await press(pilot, "5")

    assert snap_compare(make_app(demo_copy.root), terminal_size=size, run_before=before)
