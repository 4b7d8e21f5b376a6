"""The dispatcher's view of a crew's report: one document from the synced rows."""

from __future__ import annotations

import datetime as dt
import uuid

from server.sync.reports import merge
from sync import hlc
from sync.entities import EntityKind
from sync.merge import EntityState, FieldStamp

DEVICE = uuid.UUID(int=7)
AT_MS = 1_780_000_000_000


def _state(kind: EntityKind, entity_id: uuid.UUID, at_ms: int, **values: object) -> EntityState:
    stamp = hlc.pack(at_ms, 0)
    return EntityState(
        kind, entity_id, {name: FieldStamp(value, stamp, DEVICE) for name, value in values.items()}
    )


def test_no_rows_is_an_empty_report() -> None:
    report = merge(5, [])
    assert (report.incident_id, report.narrative, report.outcome) == (5, "", None)
    assert (report.persons, report.detentions, report.updated_at) == ([], [], None)


def test_the_last_written_report_speaks_and_voided_rows_are_left_out() -> None:
    old, new = uuid.UUID(int=1), uuid.UUID(int=2)
    kept, voided = uuid.UUID(int=3), uuid.UUID(int=4)
    rows = [
        _state(EntityKind.INCIDENT_REPORT, old, AT_MS, narrative="first", outcome="other"),
        _state(
            EntityKind.INCIDENT_REPORT, new, AT_MS + 5_000, narrative="second", outcome="medical"
        ),
        _state(EntityKind.REPORT_PERSON, kept, AT_MS, report_id=str(old), role="victim"),
        _state(EntityKind.REPORT_PERSON, voided, AT_MS, report_id=str(new), voided=True),
        _state(
            EntityKind.DETENTION,
            uuid.UUID(int=5),
            AT_MS + 9_000,
            report_id=str(new),
            person_id=str(kept),
            grounds="caught",
        ),
    ]
    report = merge(5, rows)
    assert (report.narrative, report.outcome) == ("second", "medical")
    assert report.persons == [{"id": str(kept), "role": "victim"}]
    assert report.detentions == [
        {"id": str(uuid.UUID(int=5)), "person_id": str(kept), "grounds": "caught"}
    ]
    assert report.updated_at == dt.datetime.fromtimestamp((AT_MS + 9_000) / 1000, dt.UTC)


def test_rows_of_another_report_are_not_this_incidents() -> None:
    stray = _state(
        EntityKind.REPORT_PERSON, uuid.UUID(int=9), AT_MS, report_id=str(uuid.UUID(int=8))
    )
    assert merge(5, [stray]).persons == []
