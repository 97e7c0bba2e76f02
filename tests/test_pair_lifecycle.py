"""A pair's life from the command line: accept, start, pause, resume, complete, end.

Each step is dated, checked and one commit; a pair starts only when both sides
accepted it, signed its agreement and finished training, and the refusal says
which of those is missing.
"""

from __future__ import annotations

import pytest
from helpers import commit_count, head_files, head_subject, read

from rmtui.core import ops, yamlio
from rmtui.core.store import Program

NEW = "joost-van-der-meer--lucia-d-angelo"


@pytest.fixture
def proposed(people_copy: Program) -> Program:
    """The people program with one more pair, proposed on 2027-02-01."""
    ops.add(people_copy, "pair", {"mentor": "joost-van-der-meer", "mentee": "lucia-d-angelo",
                                  "proposed": "2027-02-01"})
    return people_copy


def pair_data(prog: Program, pair_id: str = NEW) -> dict:
    return yamlio.parse((prog.root / f"pairs/{pair_id}.yaml").read_bytes(), "p").data


def test_both_sides_accept_then_the_pair_is_accepted(proposed, rmtui) -> None:
    root = proposed.root
    run = rmtui("-C", root, "pair", "accept", NEW, "--by", "mentor", "--date", "2027-02-02")
    assert run.code == 0, run.err
    assert pair_data(proposed)["status"] == "proposed"
    assert pair_data(proposed)["accepted"] == {"mentor": "2027-02-02"}
    assert head_subject(root) == f"pair: accept {NEW} by the mentor"
    assert head_files(root) == [f"pairs/{NEW}.yaml"]

    run = rmtui("-C", root, "pair", "accept", NEW, "--by", "mentee")
    assert run.code == 0, run.err
    assert "both sides have accepted it" in run.err
    data = pair_data(proposed)
    assert data["status"] == "accepted"
    assert data["accepted"] == {"mentor": "2027-02-02", "mentee": "2027-03-01"}
    assert head_subject(root) == f"pair: accept {NEW} by the mentee (now accepted by both)"


def test_start_is_refused_with_everything_that_is_missing(proposed, rmtui) -> None:
    root = proposed.root
    ops.transition(proposed, NEW, "accept", by="mentor")
    ops.edit(proposed, "participant", "lucia-d-angelo",
             [ops.Assignment("training_completed", "unset")])
    before = commit_count(root)
    run = rmtui("-C", root, "pair", "start", NEW)
    assert run.code == 1
    assert run.err.splitlines()[:4] == [
        f"error: pair {NEW} cannot start yet:",
        f"  the mentee has not accepted the pair (`rmtui pair accept {NEW} --by mentee`)",
        f"  the pair has no learning agreement (`rmtui agreement new {NEW}`)",
        "  the mentee lucia-d-angelo has not completed training (set training_completed on "
        "the participant)",
    ]
    assert commit_count(root) == before


def test_a_signed_trained_accepted_pair_starts(proposed, rmtui) -> None:
    root = proposed.root
    for side in ("mentor", "mentee"):
        ops.transition(proposed, NEW, "accept", by=side, on="2027-02-03")
    run = rmtui("-C", root, "agreement", "new", NEW, "--goals", "")
    assert run.code == 0, run.err
    agreement = yamlio.parse((root / f"agreements/{NEW}.yaml").read_bytes(), "a").data
    assert agreement["pair"] == NEW
    assert agreement["frequency"] == "biweekly"  # from the template
    assert agreement["review_date"] == "2027-06-01"  # three months after today: not started
    assert head_subject(root) == f"agreement: add {NEW}"

    rmtui("-C", root, "agreement", "sign", NEW, "--by", "mentor", "--date", "2027-02-10")
    run = rmtui("-C", root, "pair", "start", NEW)
    assert run.code == 1
    assert "the mentee has not signed the agreement" in run.err
    assert "mentor has not signed" not in run.err

    run = rmtui("-C", root, "agreement", "sign", NEW, "--by", "mentee")
    assert run.code == 0, run.err
    assert "both sides have signed" in run.err
    assert head_subject(root) == f"agreement: {NEW} signed by the mentee"
    run = rmtui("-C", root, "pair", "start", NEW)
    assert run.code == 0, run.err
    data = pair_data(proposed)
    assert (data["status"], data["started"]) == ("active", "2027-03-01")
    assert head_subject(root) == f"pair: start {NEW}"


def test_a_signature_after_the_start_day_does_not_count(proposed) -> None:
    for side in ("mentor", "mentee"):
        ops.transition(proposed, NEW, "accept", by=side, on="2027-02-03")
    ops.new_agreement(proposed, NEW)
    ops.sign_agreement(proposed, NEW, "mentor", on="2027-02-10")
    ops.sign_agreement(proposed, NEW, "mentee", on="2027-02-25")
    with pytest.raises(ops.pairs.DataError, match="the mentee signs the agreement on 2027-02-25"):
        ops.transition(proposed, NEW, "start", on="2027-02-20")


def test_the_agreement_requirement_can_be_switched_off(proposed) -> None:
    toml = proposed.root / "program.toml"
    toml.write_text(toml.read_text().replace("agreement_required = true",
                                             "agreement_required = false"))
    proposed = Program(proposed.root)
    for side in ("mentor", "mentee"):
        ops.transition(proposed, NEW, "accept", by=side, on="2027-02-03")
    out = ops.transition(proposed, NEW, "start", on="2027-02-04", commit=False)
    assert out.changed and pair_data(proposed)["status"] == "active"


def test_pause_resume_complete_keep_a_dated_story(people_copy, rmtui) -> None:
    root = people_copy.root
    pair = "asa-oberg--nguyen-van-duc"
    run = rmtui("-C", root, "pair", "pause", pair, "--date", "2027-02-10",
                "--reason", "parental leave")
    assert run.code == 0, run.err
    assert pair_data(people_copy, pair)["pauses"] == [{"from": "2027-02-10",
                                                       "reason": "parental leave"}]
    run = rmtui("-C", root, "pair", "resume", pair, "--date", "2027-02-24")
    assert run.code == 0, run.err
    text = read(root, f"pairs/{pair}.yaml")
    assert "pauses:\n  - from: 2027-02-10\n    to: 2027-02-24\n    reason: parental leave\n" in text
    assert pair_data(people_copy, pair)["status"] == "active"
    run = rmtui("-C", root, "pair", "complete", pair)
    assert run.code == 0, run.err
    data = pair_data(people_copy, pair)
    assert (data["status"], data["ended"]) == ("completed", "2027-03-01")
    assert head_subject(root) == f"pair: complete {pair}"


def test_decline_ends_the_pair_and_it_is_never_proposed_again(proposed, rmtui) -> None:
    root = proposed.root
    run = rmtui("-C", root, "pair", "decline", NEW, "--by", "mentee", "--reason",
                "no time this quarter")
    assert run.code == 0, run.err
    data = pair_data(proposed)
    assert data["status"] == "ended"
    assert data["end_reason"] == "declined by the mentee: no time this quarter"
    assert head_subject(root) == f"pair: decline {NEW} by the mentee"
    run = rmtui("-C", root, "pair", "add", "--mentor", "joost-van-der-meer", "--mentee",
                "lucia-d-angelo")
    assert run.code == 1
    assert "already paired" in run.err


def test_a_step_from_the_wrong_status_says_what_is_possible(people_copy, rmtui) -> None:
    root = people_copy.root
    pair = "asa-oberg--nguyen-van-duc"
    before = commit_count(root)
    run = rmtui("-C", root, "pair", "resume", pair)
    assert run.code == 1
    assert f"error: pair {pair} is active; only a pair that is paused can be resumed" in run.err
    assert f"`rmtui pair pause {pair}`" in run.err and f"`rmtui pair end {pair}`" in run.err
    run = rmtui("-C", root, "pair", "end", pair)
    assert run.code == 2  # --reason is required
    assert "--reason" in run.err
    run = rmtui("-C", root, "pair", "pause", "no-such-pair")
    assert run.code == 2
    assert "no pair 'no-such-pair'" in run.err
    run = rmtui("-C", root, "pair", "pause", pair, "--date", "2027-01-01")
    assert run.code == 1  # before the pair started
    assert "before the pair did" in run.err
    assert commit_count(root) == before


def test_a_step_keeps_hand_written_comments(people_copy, rmtui) -> None:
    root = people_copy.root
    pair = "asa-oberg--nguyen-van-duc"
    path = root / f"pairs/{pair}.yaml"
    path.write_text("# met at the kick-off\n" + path.read_text().replace(
        "status: active", "status: active   # going well"))
    rmtui("-C", root, "pair", "end", pair, "--reason", "the mentee left the company")
    text = path.read_text()
    assert text.startswith("# met at the kick-off\n")
    assert "status: ended    # going well" in text  # the comment keeps its column
    assert "end_reason: the mentee left the company" in text


def test_several_pairs_take_a_step_in_one_commit(people_copy) -> None:
    root = people_copy.root
    for mentor, mentee in (("joost-van-der-meer", "lucia-d-angelo"),
                           ("joost-van-der-meer", "nguyen-van-duc")):
        ops.add(people_copy, "pair", {"mentor": mentor, "mentee": mentee})
    pairs = ["joost-van-der-meer--lucia-d-angelo", "joost-van-der-meer--nguyen-van-duc"]
    before = commit_count(root)
    out = ops.transition(people_copy, pairs, "accept", by="mentor")
    assert commit_count(root) == before + 1
    assert head_subject(root) == "pair: accept 2 pairs"
    assert sorted(head_files(root)) == [f"pairs/{p}.yaml" for p in pairs]
    assert out.message == "accepted 2 pairs"


def test_a_step_is_refused_when_the_pair_changed_since_it_was_shown(people_copy) -> None:
    from rmtui.core.errors import RepoError

    root = people_copy.root
    pair = "asa-oberg--nguyen-van-duc"
    _, shown = ops.text_of(people_copy, "pair", pair)
    path = root / f"pairs/{pair}.yaml"
    path.write_text("# checked with HR\n" + path.read_text())
    edited = path.read_bytes()
    before = commit_count(root)
    with pytest.raises(RepoError, match="changed on disk since it was shown; nothing was written"):
        ops.transition(people_copy, pair, "pause", expected=shown)
    with pytest.raises(RepoError, match="changed on disk"):  # several pairs: a digest each
        ops.transition(people_copy, [pair], "pause", expected={pair: shown})
    assert path.read_bytes() == edited and commit_count(root) == before
    _, now = ops.text_of(people_copy, "pair", pair)
    ops.transition(people_copy, pair, "pause", expected=now)
    assert pair_data(people_copy, pair)["status"] == "paused"
    assert path.read_text().startswith("# checked with HR\n")
    assert commit_count(root) == before + 1


def test_a_signature_is_refused_when_the_agreement_changed_since_it_was_shown(proposed) -> None:
    from rmtui.core.errors import RepoError

    root = proposed.root
    ops.new_agreement(proposed, NEW)
    _, shown = ops.text_of(proposed, "agreement", NEW)
    path = root / f"agreements/{NEW}.yaml"
    path.write_text(path.read_text().replace("frequency: biweekly", "frequency: weekly"))
    before = commit_count(root)
    with pytest.raises(RepoError, match=f"agreements/{NEW}.yaml changed on disk"):
        ops.sign_agreement(proposed, NEW, "mentor", expected=shown)
    assert "signed" not in path.read_text() and commit_count(root) == before
    _, now = ops.text_of(proposed, "agreement", NEW)
    ops.sign_agreement(proposed, NEW, "mentor", expected=now)
    assert "signed:\n  mentor: 2027-03-01\n" in path.read_text()


def test_a_session_is_checked_before_it_is_logged(people_copy) -> None:
    from rmtui.core.ops.sessions import prepare_session

    root = people_copy.root
    pair = "asa-oberg--nguyen-van-duc"
    before = commit_count(root)
    session_id, data, findings = prepare_session(people_copy, pair, date="2027-02-03",
                                                 duration=45, rating_mentee=6, summary="ok")
    assert session_id == f"{pair}/2027-02-03-2"  # one was logged that day already
    assert list(data) == ["pair", "date", "duration_minutes", "ratings", "summary"]
    assert [(f.path, f.severity) for f in findings] == [(("ratings", "mentee"), "error")]
    assert commit_count(root) == before
    assert not (root / f"sessions/{pair}/2027-02-03-2.yaml").exists()
