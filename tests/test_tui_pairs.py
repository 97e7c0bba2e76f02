"""Pairs: the list by status, the selected pair's agreement, goals and story, and the
steps of its life from the keyboard, each checked by the file and the commit it made."""

from __future__ import annotations

from textual.widgets import Input, Select, Static
from tui_kit import SIZE, clean, commits, make_app, press, run, settle

from rmtui.core import ops, yamlio
from rmtui.tui.dialogs.form import FormDialog
from rmtui.tui.messages import OpenEntity
from rmtui.tui.screens.pairs import PairsScreen
from rmtui.tui.widgets.vtable import VirtualTable

ACTIVE = "adebayo-oyedeji--paula-ruiz"       # active, agreement signed by both, a goal done
PROPOSED = "charlotte-hughes--loic-hebert"   # proposed, accepted by no one, no agreement
ACCEPTED = "axel-nystrom--zofia-gorska"      # accepted by both, agreement signed by both



def data(root, rel: str) -> dict:
    return yamlio.parse((root / rel).read_bytes(), rel).data


async def open_pairs(pilot, pair: str | None = None) -> PairsScreen:
    await press(pilot, "4")
    screen = pilot.app.screen
    assert isinstance(screen, PairsScreen)
    if pair is not None:
        screen.open_entity("pair", pair)
        await settle(pilot)
        assert screen.shown is not None and screen.shown.id == pair
    return screen


def pane_text(screen: PairsScreen) -> str:
    """The pane as a person reads it (rendered, without styles)."""
    static = screen.query_one("#pair", Static)
    lines = screen.app.console.render_lines(static.content, screen.app.console.options
                                            .update_width(100))
    return "\n".join("".join(seg.text for seg in line).rstrip() for line in lines)


def notes(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def fill(pilot, values: dict[str, str], typed: tuple[str, ...] = ()) -> None:
    """Fill the open form's fields: the ``typed`` ones key by key, the others at once."""
    form = pilot.app.screen
    assert isinstance(form, FormDialog)
    for name, value in values.items():
        widget = form.query_one(f"#field-{name}")
        if isinstance(widget, Select) or name not in typed:
            widget.value = value
            continue
        assert isinstance(widget, Input)
        widget.focus()
        widget.value = ""
        await pilot.press(*value)
    await pilot.pause()


# --------------------------------------------------------------------------
# What it shows
# --------------------------------------------------------------------------


def test_the_list_by_status_and_the_pair_beside_it(demo_copy) -> None:
    async def go() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=(120, 35)) as pilot:
            screen = await open_pairs(pilot)
            table = screen.query_one(VirtualTable)
            assert table.total == len(list((demo_copy.root / "pairs").glob("*.yaml"))) == 26
            row = next(table.row(i) for i in range(table.row_count) if table.row(i)[0] == ACTIVE)
            assert row[1:6] == ("Adébáyọ̀ Oyèdèjì", "Paula Ruiz", "active", "2026-08-10",
                                "2027-02-23")
            await pilot.press("f")  # all -> proposed
            await settle(pilot)
            shown = [table.row(i) for i in range(table.row_count)]
            assert {r[3] for r in shown} == {"proposed"} and len(shown) == 2
            assert "2 of 2 proposed pairs" in str(screen.query_one("#pairs-count").render())
            assert screen.shown is not None and screen.shown.status == "proposed"
            await pilot.press("f", "f")  # accepted, active
            await settle(pilot)
            assert table.row_count == 17
            await pilot.press("z")  # a letter no key uses starts the filter
            await press(pilot, *"ofia")
            assert screen.query_one("#filter", Input).value == "zofia"
            assert table.row_count == 0  # zofia's pair is accepted, not active
            await pilot.press("escape")
            screen.open_entity("pair", ACTIVE)
            await settle(pilot)
            text = pane_text(screen)
            for want in ("ACTIVE since 2026-08-10", "Paula Ruiz (paula-ruiz)",
                         "13 held, 9 h; last 2027-02-23 (6 days ago); next due 2027-03-09",
                         "signed  by the mentor on 2026-07-25; by the mentee on 2026-07-30",
                         "cadence biweekly, 45 minutes",
                         "[done] Track my team's work on a Kanban board\n"
                         "       8 of 8 (from 0) weeks the board is up to date, due 2026-11-02",
                         "2026-07-13 proposed (match score 0.425)",
                         "2026-07-30 learning agreement signed by the mentee",
                         "l log a session · p pause · c complete · x end"):
                assert want in text, (want, text)

    run(go())


def test_open_entity_selects_the_pair_of_a_session_agreement_or_goal(demo_copy) -> None:
    root = demo_copy.root
    session = sorted((root / "sessions" / ACTIVE).glob("*.yaml"))[0].stem
    goal = sorted(p.stem for p in (root / "goals").glob("*.yaml"))[0]
    goal_pair = data(root, f"goals/{goal}.yaml")["pair"]

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)  # the Dashboard; Pairs is not made yet
            app.post_message(OpenEntity("goal", goal))
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PairsScreen)
            assert screen.shown is not None and screen.shown.id == goal_pair
            await pilot.press("f")  # a status filter and a text filter are cleared
            await settle(pilot)
            for kind, entity_id, pair in (("session", f"{ACTIVE}/{session}", ACTIVE),
                                          ("agreement", ACCEPTED, ACCEPTED),
                                          ("goal", goal, goal_pair),
                                          ("pair", PROPOSED, PROPOSED)):
                screen.open_entity(kind, entity_id)
                await settle(pilot)
                assert screen.query_one(VirtualTable).cursor_key == pair, kind
                assert screen.shown is not None and screen.shown.id == pair, kind
            assert screen.status_filter is None

    run(go())


# --------------------------------------------------------------------------
# Changes: the files and commits they make
# --------------------------------------------------------------------------


def test_log_a_session(demo_copy) -> None:
    root = demo_copy.root
    before = commits(root)

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await open_pairs(pilot, ACTIVE)
            await press(pilot, "l")
            form = app.screen
            assert isinstance(form, FormDialog)
            assert form.query_one("#field-date", Input).value == "2027-03-01"
            assert form.query_one("#field-duration_minutes", Input).value == "45"  # the agreement's
            await fill(pilot, {"duration_minutes": "abc"}, typed=("duration_minutes",))
            await press(pilot, "ctrl+s")
            assert app.screen is form  # refused beside the field, nothing written
            assert "not a whole number" in str(form.query_one("#error-duration_minutes").render())
            await fill(pilot, {"duration_minutes": "50", "rating_mentor": "4", "rating_mentee": "5",
                               "mode": "video", "topics": "Copilot, Teams",
                               "summary": "Tried Copilot on real mail"})
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, type(app.screen)) and app.screen is not form

    run(go())
    rel = f"sessions/{ACTIVE}/2027-03-01.yaml"
    assert data(root, rel) == {"pair": ACTIVE, "date": "2027-03-01", "duration_minutes": 50,
                               "mode": "video", "topics": ["Copilot", "Teams"],
                               "ratings": {"mentor": 4, "mentee": 5},
                               "summary": "Tried Copilot on real mail"}
    assert commits(root) == [f"session: log {ACTIVE} on 2027-03-01", *before]
    assert clean(root)


def test_pause_then_resume(demo_copy) -> None:
    root = demo_copy.root
    before = commits(root)
    rel = f"pairs/{ACTIVE}.yaml"

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_pairs(pilot, ACTIVE)
            await press(pilot, "p")
            await fill(pilot, {"reason": "on leave"}, typed=("reason",))
            await press(pilot, "ctrl+s")
            assert data(root, rel)["status"] == "paused"
            assert screen.shown is not None and screen.shown.status == "paused"
            assert "PAUSED since 2027-03-01" in pane_text(screen)
            await press(pilot, "r")
            assert screen.shown is not None and screen.shown.status == "active"

    run(go())
    pair = data(root, rel)
    assert pair["status"] == "active"
    assert pair["pauses"] == [{"from": "2027-03-01", "to": "2027-03-01",
                               "reason": "on leave"}]
    assert commits(root) == [f"pair: resume {ACTIVE}", f"pair: pause {ACTIVE}", *before]
    assert clean(root)


def test_accept_fill_in_sign_and_start(demo_copy) -> None:
    root = demo_copy.root
    ops.transition(demo_copy, PROPOSED, "accept", by="mentor")
    before = commits(root)

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_pairs(pilot, PROPOSED)
            await press(pilot, "a")
            assert app.screen.query_one("#field-by", Select).value == "mentee"  # the one left
            await press(pilot, "ctrl+s")
            await press(pilot, "n")
            assert app.screen.query_one("#field-frequency", Select).value == "biweekly"
            await fill(pilot, {"frequency": "weekly"})
            await press(pilot, "ctrl+s")
            await press(pilot, "g")
            assert app.screen.query_one("#field-by", Select).value == "mentor"
            await press(pilot, "ctrl+s")
            ops.sign_agreement(demo_copy, PROPOSED, "mentee")  # someone else, elsewhere
            app.action_reload()
            await settle(pilot)
            await press(pilot, "t")
            assert screen.shown is not None and screen.shown.status == "active"

    run(go())
    pair = data(root, f"pairs/{PROPOSED}.yaml")
    assert (pair["status"], pair["started"]) == ("active", "2027-03-01")
    assert pair["accepted"] == {"mentor": "2027-03-01", "mentee": "2027-03-01"}
    agreement = data(root, f"agreements/{PROPOSED}.yaml")
    assert agreement["frequency"] == "weekly"
    assert agreement["signed"] == {"mentor": "2027-03-01", "mentee": "2027-03-01"}
    assert commits(root) == [
        f"pair: start {PROPOSED}", f"agreement: {PROPOSED} signed by the mentee",
        f"agreement: {PROPOSED} signed by the mentor", f"agreement: add {PROPOSED}",
        f"pair: accept {PROPOSED} by the mentee (now accepted by both)", *before]
    assert clean(root)


def test_end_asks_why(demo_copy) -> None:
    root = demo_copy.root

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            await open_pairs(pilot, ACTIVE)
            await press(pilot, "x")
            await press(pilot, *"moved abroad", "enter")

    run(go())
    pair = data(root, f"pairs/{ACTIVE}.yaml")
    assert (pair["status"], pair["end_reason"]) == ("ended", "moved abroad")
    assert commits(root)[0] == f"pair: end {ACTIVE}"


def test_a_refused_start_says_why_and_writes_nothing(demo_copy) -> None:
    root = demo_copy.root
    before = commits(root)

    async def go() -> None:
        app = make_app(root)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_pairs(pilot, PROPOSED)
            await press(pilot, "t")
            said = notes(app)
            assert f"pair {PROPOSED} cannot start yet:" in said
            assert "the mentor has not accepted the pair" in said
            assert "the pair has no learning agreement" in said
            text = pane_text(screen)
            assert f"Not done: pair {PROPOSED} cannot start yet:" in text
            assert "hint: a pair starts once both sides have accepted it" in text
            await pilot.press("r")  # a step the footer hides: the core says why not
            await settle(pilot)
            assert f"pair {PROPOSED} is proposed; only a pair that is paused can be resumed" \
                in notes(app)
            await screen.run_action("step('resume')")  # so does the command palette
            await settle(pilot)
            assert notes(app).count("only a pair that is paused can be resumed") == 2

    run(go())
    assert commits(root) == before
    assert clean(root)


def test_a_pair_changed_on_disk_since_it_was_shown_is_refused(demo_copy) -> None:
    root = demo_copy.root
    before = commits(root)
    path = root / f"pairs/{ACTIVE}.yaml"

    async def go() -> None:
        app = make_app(root)  # no file watcher: the screen still shows the old file
        async with app.run_test(size=SIZE) as pilot:
            await open_pairs(pilot, ACTIVE)
            path.write_text(path.read_text().replace("status: active", "status: paused"))
            await press(pilot, "c")
            await press(pilot, "y")
            assert f"pairs/{ACTIVE}.yaml changed on disk since it was shown; nothing was " \
                "written" in notes(app)

    run(go())
    assert data(root, f"pairs/{ACTIVE}.yaml")["status"] == "paused"  # as the other hand left it
    assert commits(root) == before


# --------------------------------------------------------------------------
# How it looks
# --------------------------------------------------------------------------


def test_snapshot_a_pair_selected(snap_compare, demo_copy) -> None:
    async def run_before(pilot) -> None:
        await open_pairs(pilot, ACTIVE)
        await settle(pilot)

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=run_before)


def test_snapshot_the_log_session_dialog(snap_compare, demo_copy) -> None:
    async def run_before(pilot) -> None:
        await open_pairs(pilot, ACTIVE)
        await press(pilot, "l")

    assert snap_compare(make_app(demo_copy.root), terminal_size=SIZE, run_before=run_before)


def test_a_bug_while_loading_the_pairs_is_said_not_left_loading(demo_copy, monkeypatch) -> None:
    from rmtui.tui.screens import pairs

    def broken(program, today):
        raise KeyError("status")

    monkeypatch.setattr(pairs, "load_rows", broken)

    async def flow() -> None:
        app = make_app(demo_copy.root)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "4")
            shown = [n.message for n in app._notifications]
            assert any("could not load the pairs: KeyError" in m and "rmtui pair list" in m
                       for m in shown), shown

    run(flow())
