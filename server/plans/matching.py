"""Which plan an incident follows: the most specific active plan of its alert kind.

A plan for the incident's own site beats one for its site kind, which beats one for the alert
kind alone (a bank's intrusion plan over the banks' plan over every intrusion). Pure: the
repository fetches the candidates, this picks; at most one active plan covers each scope (a
unique index), so the pick is never a tie.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

from server.plans.schemas import Plan

NOT_APPLICABLE: Final = 99


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """Where an incident happened, as matching sees it."""

    alert_kind: str
    site_id: int | None = None
    site_kind: str | None = None


def specificity(plan: Plan, scope: Scope) -> int:
    """0 for a plan of the site, 1 of the site kind, 2 of the kind alone; NOT_APPLICABLE when
    the plan does not cover the scope."""
    if not plan.active or plan.alert_kind != scope.alert_kind:
        return NOT_APPLICABLE
    if plan.site_id is not None:
        return 0 if plan.site_id == scope.site_id else NOT_APPLICABLE
    if plan.site_kind is not None:
        return 1 if plan.site_kind == scope.site_kind else NOT_APPLICABLE
    return 2


def most_specific(plans: Iterable[Plan], scope: Scope) -> Plan | None:
    ranked = [(specificity(plan, scope), plan.id, plan) for plan in plans]
    covering = [item for item in ranked if item[0] != NOT_APPLICABLE]
    return min(covering, key=lambda item: item[:2])[2] if covering else None
