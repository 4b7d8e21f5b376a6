"""Action plans, pure parts: the most specific plan wins, a skipped or failed step needs a
reason, and a CSV sheet groups into plans (a plan with a bad row is rejected whole)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from server.imports import parse_csv
from server.plans import imports
from server.plans.matching import Scope, most_specific, specificity
from server.plans.schemas import NEEDS_REASON, Plan, PlanIn, PlanStep, StepIn, StepState

AT = dt.datetime(2026, 12, 13, 10, tzinfo=dt.UTC)


def _plan(plan_id: int, **scope: object) -> Plan:
    fields: dict[str, object] = {"alert_kind": "intrusion", "site_kind": None, "site_id": None}
    fields |= scope
    return Plan(
        id=plan_id,
        name=f"plan {plan_id}",
        active=bool(fields.pop("active", True)),
        version=1,
        steps=[PlanStep(text="Call the site")],
        created_at=AT,
        updated_at=AT,
        **fields,  # type: ignore[arg-type]
    )


BANK_HERE = Scope(alert_kind="intrusion", site_id=7, site_kind="bank")


def test_a_plan_of_the_site_beats_one_of_its_kind_which_beats_one_of_the_alert_kind() -> None:
    anywhere, banks, this_bank = _plan(1), _plan(2, site_kind="bank"), _plan(3, site_id=7)
    assert most_specific([anywhere, banks, this_bank], BANK_HERE) is this_bank
    assert most_specific([anywhere, banks], BANK_HERE) is banks
    assert most_specific([anywhere], BANK_HERE) is anywhere


def test_plans_of_another_site_kind_or_alert_kind_and_inactive_plans_never_match() -> None:
    others = [
        _plan(1, site_id=8),
        _plan(2, site_kind="school"),
        _plan(3, alert_kind="panic"),
        _plan(4, site_id=7, active=False),
    ]
    assert most_specific(others, BANK_HERE) is None
    assert [specificity(plan, BANK_HERE) for plan in others] == [99, 99, 99, 99]


def test_an_incident_without_a_site_gets_only_the_plan_of_its_alert_kind() -> None:
    scope = Scope(alert_kind="intrusion")
    assert most_specific([_plan(1, site_kind="bank"), _plan(2)], scope) == _plan(2)


def test_skip_and_fail_need_a_reason_and_a_mark_cannot_reopen_a_step() -> None:
    assert {StepState.SKIPPED, StepState.FAILED} == NEEDS_REASON
    assert msgspec.json.decode(b'{"state": "done"}', type=StepIn).step_state is StepState.DONE
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"state": "open"}', type=StepIn)


def test_a_plan_needs_a_step_and_a_known_alert_kind() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"name": "x", "alert_kind": "intrusion", "steps": []}', type=PlanIn)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(
            b'{"name": "x", "alert_kind": "volcano", "steps": [{"text": "run"}]}', type=PlanIn
        )


SHEET = """plan,alert_kind,site_kind,site,step,kind,required
Bank intrusion,intrusion,bank,,Call the branch,call_site,true
Bank intrusion,intrusion,bank,,Call the key-holders,call_keyholders,true
Bank intrusion,intrusion,bank,,Check the cameras,verify_video,false
School panic,panic,school,,Dispatch the nearest crew,dispatch,
School panic,panic,school,,Tell the duty desk,notify_police,
"""


def group_rows(text: str) -> dict[str, imports.PlanGroup]:
    parsed = parse_csv(text, imports.PlanRow, imports.PLAN_COLUMNS)
    return imports.group_rows(text, parsed)


def test_a_sheet_groups_its_rows_into_plans_in_order_with_their_lines() -> None:
    groups = group_rows(SHEET)
    assert list(groups) == ["Bank intrusion", "School panic"]
    bank = groups["Bank intrusion"]
    assert bank.lines == [2, 3, 4]
    assert [(row.step, row.kind.value, row.required) for row in bank.rows] == [
        ("Call the branch", "call_site", True),
        ("Call the key-holders", "call_keyholders", True),
        ("Check the cameras", "verify_video", False),
    ]
    assert groups["School panic"].rows[0].required is True  # an empty cell: required
    assert all(group.problem is None for group in groups.values())


def test_a_plan_with_a_bad_row_or_rows_that_disagree_on_its_scope_is_rejected_whole() -> None:
    bad_kind = SHEET.replace("Check the cameras,verify_video", "Check the cameras,juggle")
    assert "line 4" in (group_rows(bad_kind)["Bank intrusion"].problem or "")
    moved = SHEET.replace(
        "School panic,panic,school,,Tell", "School panic,panic,kindergarten,,Tell"
    )
    assert "same alert_kind and scope" in (group_rows(moved)["School panic"].problem or "")
    assert group_rows(moved)["Bank intrusion"].problem is None
