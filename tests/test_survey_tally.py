"""Who has answered what: each survey's responses, answered or pending."""

from __future__ import annotations

from rmtui.core.ops import surveys

BASELINE = {"confidence-tools": 4, "confidence-social": 3, "confidence-data": 2,
            "confidence-ways-of-working": 3}


def test_tally_counts_answered_and_pending_per_survey(people_copy) -> None:
    prog = people_copy
    surveys.send(prog, "baseline", on="2027-02-01")
    surveys.respond(prog, "baseline", "asa-oberg", BASELINE, on="2027-02-03")
    # a file that cannot be read, and responses to a survey that has no file
    (prog.root / "responses/baseline/lucia-d-angelo.yaml").write_text("status: [\n",
                                                                     encoding="utf-8")
    (prog.root / "responses/gone").mkdir()
    (prog.root / "responses/gone/asa-oberg.yaml").write_text(
        "survey: gone\nparticipant: asa-oberg\nstatus: sent\n", encoding="utf-8")

    by_id = {t.survey: t for t in surveys.tally(prog)}
    assert sorted(by_id) == ["baseline", "exit", "final", "gone", "pulse"]
    base = by_id["baseline"]
    assert (base.title, base.kind, base.audience) == ("Baseline self-assessment", "baseline",
                                                      "all")
    assert [(a.participant, a.status) for a in base.answers] == [
        ("asa-oberg", "answered"), ("joost-van-der-meer", "pending"),
        ("lucia-d-angelo", "invalid"), ("nguyen-van-duc", "pending")]
    assert (base.sent, base.answered, base.pending, base.count("invalid")) == (4, 1, 2, 1)
    asa = base.answers[0]
    assert (asa.sent, asa.submitted) == ("2027-02-01", "2027-02-03")
    assert by_id["exit"].answers == [] and by_id["exit"].sent == 0
    assert by_id["gone"].title.startswith("(no survey file")
    assert by_id["gone"].pending == 1
