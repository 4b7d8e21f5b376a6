"""`GET /api/v1/audit`: the audit log for admins, filtered, newest first, as JSON or CSV.

Reading the log is itself an entry ("audit.view"), a CSV download an export ("export.audit"),
written before the answer is sent: no entry, no answer. The routes live here, not in
server/audit, because they need the auth guards while server/auth records its token changes in
the audit log: the package stays below every domain.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Annotated, Final, Literal

import msgspec
from litestar import Response, Router, get
from litestar.params import FromQuery, QueryParameter

from server.audit import repository
from server.audit.log import record
from server.audit.repository import AuditFilter
from server.audit.schemas import AuditEntry, AuditOut
from server.auth.guards import allow, client_address, principal_of
from server.auth.schemas import Role
from server.errors import BadRequest
from server.http_params import AnyRequest, Limit, Offset
from server.state import Posbon
from server.text import spreadsheet_text

AUDITORS = allow(Role.ADMIN)
CSV_COLUMNS: Final = (
    "id",
    "at",
    "actor",
    "actor_token_id",
    "user_id",
    "role",
    "action",
    "target",
    "outcome",
    "address",
    "before",
    "after",
    "detail",
    "hash",
)
ACTION_FILTER: Final = re.compile(r"^[a-z0-9_.]{1,100}$")
Text = Annotated[str | None, QueryParameter(max_length=500)]
ActionPrefix = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        description='Entries whose action starts with this: "site." for every site change.',
    ),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    QueryParameter(name="format", description="json or csv (or send Accept: text/csv)"),
]


def _filter(
    since: dt.datetime | None,
    until: dt.datetime | None,
    action: str | None,
    **rest: str | int | None,
) -> AuditFilter:
    if (since is not None and since.tzinfo is None) or (until is not None and until.tzinfo is None):
        raise BadRequest(
            "Give since and until with a time zone, e.g. 2026-11-01T00:00:00Z.", code="naive_time"
        )
    if since is not None and until is not None and since >= until:
        raise BadRequest("since must be before until.", code="empty_period")
    if action is not None and not ACTION_FILTER.match(action):
        raise BadRequest(
            "Give the action as lowercase words joined by dots, e.g. site. or site.update.",
            code="invalid_audit_action",
        )
    return msgspec.convert({"since": since, "until": until, "action": action, **rest}, AuditFilter)


def _out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        actor_token_id=entry.actor_token_id,
        user_id=entry.user_id,
        role=entry.role,
        action=entry.action,
        target=entry.target,
        outcome=entry.outcome,
        address=entry.address,
        before=msgspec.json.decode(entry.before),
        after=msgspec.json.decode(entry.after),
        detail=entry.detail,
        hash=entry.hash,
    )


def as_csv(found: list[AuditEntry]) -> str:
    """One row per entry under a header row; text people wrote is never run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in found:
        writer.writerow(
            [
                entry.id,
                entry.at.astimezone(dt.UTC).isoformat(),
                spreadsheet_text(entry.actor),
                "" if entry.actor_token_id is None else entry.actor_token_id,
                "" if entry.user_id is None else entry.user_id,
                entry.role,
                entry.action,
                spreadsheet_text(entry.target),
                entry.outcome,
                spreadsheet_text(entry.address),
                spreadsheet_text(entry.before),
                spreadsheet_text(entry.after),
                spreadsheet_text(entry.detail),
                entry.hash,
            ]
        )
    return out.getvalue()


def _wants_csv(request: AnyRequest, as_format: str | None) -> bool:
    if as_format is not None:
        return as_format == "csv"
    return request.accept.best_match(["application/json", "text/csv"]) == "text/csv"


@get(
    "/",
    **AUDITORS,
    summary="The audit log",
    description="Who did what, newest first: every change of sites, devices, crews, watchlists, "
    "plate lists, schedules and tokens (with the item before and after), sign-ins, views of "
    "face crops and recordings, and exports. Filters: `since`/`until` (ISO 8601 with a time "
    "zone, inclusive), `actor` and `target` (exact), `action` (a prefix). `format=csv` or "
    "`Accept: text/csv` answers CSV with a header row. Reading the log is audited too.",
)
async def audit_log(
    request: AnyRequest,
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
    actor: Text = None,
    action: ActionPrefix = None,
    target: Text = None,
    limit: Limit = 100,
    offset: Offset = 0,
    as_format: Format = None,
) -> Response[bytes]:
    where = _filter(since, until, action, actor=actor, target=target, limit=limit, offset=offset)
    db = posbon.db
    found = await repository.entries(db, where)
    wants_csv = _wants_csv(request, as_format)
    async with db.write():  # no entry, no answer
        await record(
            db,
            action="export.audit" if wants_csv else "audit.view",
            actor=principal_of(request),
            address=client_address(request),
            after=msgspec.structs.asdict(where),
            detail=f"{len(found)} entries",
        )
    if wants_csv:
        return Response(
            as_csv(found).encode(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="posbon-audit.csv"'},
        )
    return Response(
        msgspec.json.encode([_out(entry) for entry in found]), media_type="application/json"
    )


router = Router(path="/api/v1/audit", route_handlers=[audit_log], tags=["audit"])
