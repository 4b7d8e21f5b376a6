import datetime as dt

from litestar import Router, get
from litestar.params import FromQuery

from server.auth.guards import allow
from server.auth.schemas import Role
from server.errors import BadRequest
from server.state import Posbon
from server.stats import repository
from server.stats.schemas import Stats

DEFAULT_PERIOD = dt.timedelta(days=30)


@get(
    "/",
    **allow(Role.admin, Role.dispatcher),
    summary="Statistics for a period",
    description="Defaults to the last 30 days. Outcomes are the ones recorded at resolution.",
)
async def stats(
    posbon: Posbon,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Stats:
    end = until or dt.datetime.now(dt.UTC)
    start = since or end - DEFAULT_PERIOD
    if start.tzinfo is None or end.tzinfo is None:
        raise BadRequest(
            "Give since and until with a time zone, e.g. 2026-11-01T00:00:00Z.", code="naive_time"
        )
    if start >= end:
        raise BadRequest("since must be before until.", code="empty_period")
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
    )


router = Router(path="/api/v1/stats", route_handlers=[stats], tags=["stats"])
