"""Imports: a checked plan written as one commit, or nothing at all."""

from __future__ import annotations

from rmtui.core import yamlio
from rmtui.core.errors import RepoError
from rmtui.core.importer.plan import Plan, Updated
from rmtui.core.importer.responses import ResponsePlan
from rmtui.core.kinds import PARTICIPANT, RESPONSE
from rmtui.core.ops.change import Outcome, change, ordered, outcome_of
from rmtui.core.ops.entities import Assignment, Draft, assign, draft_edit
from rmtui.core.store import Program


def import_participants(program: Program, plan: Plan, *, commit: bool = True) -> Outcome:
    """Write a plan from :func:`rmtui.core.importer.make_plan`: new files for the people
    added, round-trip edits (comments, key order and fields the mapping does not cover
    survive) for the people updated or marked left, all in one commit."""
    if not plan.has_changes:
        return Outcome(f"{plan.table.name}: nothing to change ({len(plan.unchanged)} unchanged)",
                       [], None, list(plan.warnings), changed=False)
    drafts = [_draft(program, u) for u in plan.updated]
    with change(program, plan.message(), "participant.import", commit=commit) as ch:
        for a in plan.added:
            ch.create(PARTICIPANT.path(a.id), yamlio.dump(a.data))
        for d in drafts:
            ch.replace(d.rel, d.new_raw, yamlio.digest(d.raw))
    out = outcome_of(ch, f"imported {plan.table.name}: {plan.counts()}")
    out.warnings.extend(plan.warnings)
    return out


def _draft(program: Program, update: Updated) -> Draft:
    rel = PARTICIPANT.path(update.id)
    raw = yamlio.read_bytes(program.abspath(rel))
    if raw is None or yamlio.parse(raw, rel).data != update.before:
        raise RepoError(f"{rel} changed on disk while the import was being prepared; "
                        "nothing was written", hint="run the import again")
    doc = yamlio.load_rt(raw.decode("utf-8", "replace"), rel)
    assign(doc, [Assignment(c.field, "unset") if c.new is None else
                 Assignment(c.field, "set", c.new) for c in update.changes], PARTICIPANT)
    if yamlio.to_plain(doc) != update.after:  # pragma: no cover - a bug, never bad input
        raise RuntimeError(f"the edit of {rel} does not give the planned data")
    return Draft(PARTICIPANT, update.id, raw, yamlio.encode_like(yamlio.dump_rt(doc), raw), [])


def import_responses(program: Program, plan: ResponsePlan, *, commit: bool = True) -> Outcome:
    """Write a plan from :func:`rmtui.core.importer.responses.plan_responses`: a new file
    per response added, the stubs of ``survey send`` filled in (comments kept), one commit."""
    from rmtui.core.ops.surveys import filler
    from rmtui.core.validate import Index

    if not plan.has_changes:
        return Outcome(f"{plan.table.name}: nothing to change ({plan.counts()})", [], None,
                       list(plan.warnings), changed=False)
    index = Index(program)
    drafts = []
    for item in plan.of("fill"):
        fields = {"status": "submitted", "submitted": item.submitted}
        drafts.append(draft_edit(program, RESPONSE, f"{plan.survey}/{item.participant}",
                                 filler(fields, item.answers), index=index))
    with change(program, plan.message(), "response.import", commit=commit) as ch:
        for item in plan.of("add"):
            data = {"survey": plan.survey, "participant": item.participant,
                    "status": "submitted", "submitted": item.submitted}
            if item.answers:
                data["answers"] = item.answers
            ch.create(RESPONSE.path(f"{plan.survey}/{item.participant}"),
                      yamlio.dump(ordered(RESPONSE, data)))
        for d in drafts:
            ch.replace(d.rel, d.new_raw, yamlio.digest(d.raw))
    out = outcome_of(ch, f"imported {plan.table.name} into {plan.survey}: {plan.counts()}")
    out.warnings.extend(plan.warnings)
    return out
