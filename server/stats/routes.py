import datetime as dt

from litestar import Response, Router, get
from litestar.params import FromQuery

from server.auth.guards import allow
from server.auth.schemas import Role
from server.errors import BadRequest
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


async def _collect(posbon: Posbon, start: dt.datetime, end: dt.datetime) -> Stats:
    db = posbon.db
    return Stats(
        since=start,
        until=end,
        alerts_by_kind=await repository.count_by(db, "alerts", "kind", "received_at", start, end),
        incidents_by_status=await repository.count_by(
            db, "incidents", "status", "created_at", start, end
        ),
        outcomes=await repository.count_by(db, "incidents", "outcome", "created_at", start, end),
        persons_detained=await repository.persons_detained(db, start, end),
        median_minutes_to_on_scene=await repository.median_minutes_to_on_scene(db, start, end),
        groups=await breakdown.groups(db, start, end),
        intervals=figures.intervals(
            await breakdown.milestones(db, start, end), _targets(posbon.settings)
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
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Stats:
    return await _collect(posbon, *_period(since, until))


@get(
    "/export.csv",
    **allow(Role.ADMIN, Role.DISPATCHER),
    summary="The same statistics as CSV",
    media_type="text/csv",
)
async def stats_csv(
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Response[str]:
    body = to_csv(await _collect(posbon, *_period(since, until)))
    disposition = {"Content-Disposition": 'attachment; filename="posbon-stats.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=disposition)


router = Router(path="/api/v1/stats", route_handlers=[stats, stats_csv], tags=["stats"])
