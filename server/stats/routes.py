import datetime as dt

from litestar import Response, Router, get
from litestar.params import FromQuery

from server.audit.log import record
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import alert_reach, incident_reach
from server.errors import BadRequest
from server.http_params import AnyRequest
from server.settings import Settings
from server.state import Posbon
from server.stats import breakdown, figures, repository
from server.stats.export import to_csv
from server.stats.schemas import Stats

DEFAULT_PERIOD = dt.timedelta(days=30)


def _period(
    since: dt.datetime | None, until: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    end = until or dt.datetime.now(dt.UTC)
    start = since or end - DEFAULT_PERIOD
    if start.tzinfo is None or end.tzinfo is None:
        raise BadRequest(
            "Give since and until with a time zone, e.g. 2026-11-01T00:00:00Z.", code="naive_time"
        )
    if start >= end:
        raise BadRequest("since must be before until.", code="empty_period")
    return start, end


def _targets(settings: Settings) -> dict[str, float]:
    return {
        "dispatch": settings.target_dispatch_s,
        "acknowledge": settings.target_acknowledge_s,
        "on_scene": settings.target_on_scene_s,
    }


async def _collect(
    posbon: Posbon, request: AnyRequest, start: dt.datetime, end: dt.datetime
) -> Stats:
    """The figures of the period, counting only what the caller's scope reaches."""
    db = posbon.db
    scope = principal_of(request).scope
    alerts = alert_reach(scope, "alerts")
    incidents = incident_reach(scope, "incidents")
    return Stats(
        since=start,
        until=end,
        alerts_by_kind=await repository.count_by(
            db, "alerts", "kind", "received_at", start, end, alerts
        ),
        incidents_by_status=await repository.count_by(
            db, "incidents", "status", "created_at", start, end, incidents
        ),
        outcomes=await repository.count_by(
            db, "incidents", "outcome", "created_at", start, end, incidents
        ),
        persons_detained=await repository.persons_detained(db, start, end, incidents),
        median_minutes_to_on_scene=await repository.median_minutes_to_on_scene(
            db, start, end, incident_reach(scope, "i")
        ),
        groups=await breakdown.groups(db, start, end, scope),
        intervals=figures.intervals(
            await breakdown.milestones(db, start, end, scope), _targets(posbon.settings)
        ),
    )


@get(
    "/",
    **allow(Role.ADMIN, Role.DISPATCHER),
    summary="Statistics for a period",
    description="Defaults to the last 30 days. Outcomes are the ones recorded at resolution; "
    "intervals are p50/p90 seconds against the configured targets.",
)
async def stats(
    request: AnyRequest,
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Stats:
    return await _collect(posbon, request, *_period(since, until))


@get(
    "/export.csv",
    **allow(Role.ADMIN, Role.DISPATCHER),
    summary="The same statistics as CSV",
    media_type="text/csv",
)
async def stats_csv(
    request: AnyRequest,
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Response[str]:
    period = _period(since, until)
    body = to_csv(await _collect(posbon, request, *period))
    async with posbon.db.write():  # no entry, no export
        await record(
            posbon.db,
            action="export.stats",
            actor=principal_of(request),
            after={"since": period[0], "until": period[1]},
        )
    disposition = {"Content-Disposition": 'attachment; filename="posbon-stats.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=disposition)


router = Router(path="/api/v1/stats", route_handlers=[stats, stats_csv], tags=["stats"])
