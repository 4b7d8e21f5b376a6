"""Retention's pure rules: the expiry a category gives, what a tombstone answers, the seeded
defaults, and the limits a category must keep."""

from __future__ import annotations

import datetime as dt
import importlib

import msgspec
import pytest

from server.errors import Gone
from server.evidence.retention import expiry
from server.evidence.retention_changes import require_kept
from server.evidence.retention_schemas import Category, CategoryIn, RetentionRow, RetentionState

AT = dt.datetime(2026, 12, 12, 8, 0, tzinfo=dt.UTC)


def _category(duration_s: int) -> Category:
    return Category(
        name="c", title="c", duration_s=duration_s, created_at=AT, updated_at=AT, updated_by="x"
    )


def _row(state: RetentionState, deleted_at: dt.datetime | None = None) -> RetentionRow:
    return RetentionRow(
        recording_id="r1",
        sha256="ab" * 32,
        category="no_incident",
        base_at=AT,
        expires_at=AT,
        link_mark=0,
        state=state,
        deleted_at=deleted_at,
        deleted_reason="retention ended: no_incident expired at 2027-01-11T08:00:00+00:00",
    )


def test_expiry_counts_from_verification_by_the_category_duration() -> None:
    assert expiry(AT, _category(60)) == AT + dt.timedelta(minutes=1)
    assert expiry(AT, _category(99 * 365 * 86_400)).year == 2125


def test_a_tombstone_answers_410_with_when_and_why() -> None:
    require_kept(_row(RetentionState.KEPT))
    with pytest.raises(Gone) as deleted:
        require_kept(_row(RetentionState.DELETED, AT))
    assert deleted.value.code == "evidence_deleted"
    assert "2026-12-12T08:00:00+00:00" in deleted.value.detail
    assert "retention ended" in deleted.value.detail
    with pytest.raises(Gone, match="being deleted"):
        require_kept(_row(RetentionState.DELETING))


def test_the_migration_seeds_the_usual_categories() -> None:
    migration = importlib.import_module("server.migrations.0014_retention")
    days = {name: duration_s / 86_400 for name, _, duration_s in migration.DEFAULT_CATEGORIES}
    assert days == {"no_incident": 30, "incident": 3 * 365, "homicide": 99 * 365}
    assert all("ON CONFLICT (name) DO NOTHING" in sql for sql in migration.seed("now()"))


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Bad Name", "duration_s": 60},
        {"name": "zero", "duration_s": 0},
        {"name": "forever", "duration_s": 10**12},
        {"name": "extra", "duration_s": 60, "color": "red"},
    ],
)
def test_a_category_outside_the_limits_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(body, CategoryIn)
