"""CSV import of action plans: one row per step, in order, grouped into plans by name.

    plan,alert_kind,site_kind,site,step,kind,required
    Bank intrusion,intrusion,bank,,Call the branch,call_site,true
    Bank intrusion,intrusion,bank,,Call the key-holders in order,call_keyholders,true

`site` is a site's name (as `posbon sites import` wrote it); `kind` and `required` may be left
out (other, true). Rows of one plan must agree on its alert kind and scope. A plan with any bad
row is rejected whole (never imported short of a step). An existing plan of the same name gets a
new version, unless its steps and scope are unchanged, so re-running a file changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Final

import msgspec

from server.alerts.schemas import AlertKind
from server.db import Database
from server.imports import (
    BATCH_ROWS,
    ImportReport,
    ParsedRows,
    Progress,
    RowError,
    apply,
    parse_csv_aside,
)
from server.plans import repository, service
from server.plans.schemas import PlanIn, PlanName, PlanStep, StepKind, StepText
from server.sites.repository import find_by_name
from server.text import Text40, Text200

PLAN_COLUMNS: Final = ("plan", "alert_kind", "step")
IMPORT_ACTOR: Final = "import"


class PlanRow(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    plan: PlanName
    alert_kind: AlertKind
    site_kind: Text40 | None = None
    site: Text200 | None = None
    step: StepText
    kind: StepKind = StepKind.OTHER
    required: bool = True


class PlanGroup(msgspec.Struct, kw_only=True):
    lines: list[int]
    rows: list[PlanRow]
    problem: str | None = None


def _record_lines(text: str) -> list[tuple[int, str]]:
    """(line, plan name) of every record, as csv reads them (parse_csv's order)."""
    found: list[tuple[int, str]] = []
    reader = csv.DictReader(io.StringIO(text))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return found
        except csv.Error:
            continue
        found.append((reader.line_num, (record.get("plan") or "").strip()))


def group_rows(text: str, parsed: ParsedRows[PlanRow]) -> dict[str, PlanGroup]:
    bad_lines = {error.line for error in parsed.rejected}
    records = _record_lines(text)
    valid_lines = [line for line, _ in records if line not in bad_lines]
    groups: dict[str, PlanGroup] = {}
    for line, row in zip(valid_lines, parsed.rows, strict=False):
        group = groups.setdefault(row.plan, PlanGroup(lines=[], rows=[]))
        group.lines.append(line)
        group.rows.append(row)
        first = group.rows[0]
        if (row.alert_kind, row.site_kind, row.site) != (
            first.alert_kind,
            first.site_kind,
            first.site,
        ):
            group.problem = f"plan {row.plan!r}: every row must name the same alert_kind and scope"
    for line, name in records:
        if line in bad_lines and name in groups:
            groups[name].problem = f"plan {name!r}: another of its rows (line {line}) is invalid"
    return groups


async def _plan_of(db: Database, group: PlanGroup) -> PlanIn | str:
    first = group.rows[0]
    site_id = None
    if first.site is not None:
        site = await find_by_name(db, first.site)
        if site is None:
            return f"there is no site named {first.site!r} (import the sites first)"
        site_id = site.id
    steps = [PlanStep(text=row.step, kind=row.kind, required=row.required) for row in group.rows]
    try:
        return msgspec.convert(
            {
                "name": first.plan,
                "alert_kind": first.alert_kind,
                "site_kind": first.site_kind,
                "site_id": site_id,
                "steps": [msgspec.to_builtins(step) for step in steps],
            },
            PlanIn,
        )
    except msgspec.ValidationError as err:
        return f"plan {first.plan!r}: {err}"


async def _checked(db: Database, text: str, parsed: ParsedRows[PlanRow]) -> ParsedRows[PlanIn]:
    plans: list[PlanIn] = []
    rejected = list(parsed.rejected)
    scopes: set[tuple[str, str, int]] = set()
    for group in group_rows(text, parsed).values():
        plan = group.problem or await _plan_of(db, group)
        if isinstance(plan, PlanIn):
            plan = await _scope_problem(db, plan, scopes) or plan
        if isinstance(plan, str):
            rejected.extend(RowError(line, plan) for line in group.lines)
        else:
            plans.append(plan)
    return ParsedRows(plans, sorted(rejected, key=lambda error: error.line))


async def _scope_problem(db: Database, plan: PlanIn, seen: set[tuple[str, str, int]]) -> str | None:
    if plan.site_id is not None and plan.site_kind is not None:
        return f"plan {plan.name!r}: give a site or a site_kind, not both"
    scope = (plan.alert_kind.value, plan.site_kind or "", plan.site_id or 0)
    if scope in seen:
        return f"plan {plan.name!r}: another plan in this file covers the same scope"
    seen.add(scope)
    existing = await repository.find_by_name(db, plan.name)
    other = await repository.covering_same_scope(
        db, plan, None if existing is None else existing.id
    )
    if other is not None:
        return f"plan {plan.name!r}: plan {other.name!r} already covers this alert kind and scope"
    return None


async def upsert_plan(db: Database, plan: PlanIn, actor: str = IMPORT_ACTOR) -> None:
    existing = await repository.find_by_name(db, plan.name)
    if existing is None:
        await service.create_plan(db, plan, actor)
    else:
        await service.update_plan(db, existing.id, plan, actor)


async def import_plans(
    db: Database,
    text: str,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    parsed = await parse_csv_aside(text, PlanRow, PLAN_COLUMNS)
    plans = await _checked(db, text, parsed)

    async def store(plan: PlanIn) -> None:
        await upsert_plan(db, plan)

    return await apply(
        plans, store, db, skip_invalid=skip_invalid, progress=progress, batch_rows=batch_rows
    )


__all__: Sequence[str] = ("PLAN_COLUMNS", "PlanRow", "import_plans", "upsert_plan")
