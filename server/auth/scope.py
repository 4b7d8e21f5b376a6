"""How far a principal reaches: the SQL conditions that keep a scoped principal's lists within
its scope, and the guard that refuses a request naming anything beyond it.

A `Scope` (server/auth/schemas.py) narrows a role three ways, each None when it does not:

* ``districts`` — `sites.district` values. The principal sees those sites and what is attached
  to them: devices and cameras at them, alerts and incidents raised at them, and what belongs to
  those incidents (recordings linked to them, plans, calls, notices, tests of those sites).
  **Something with no site** (a phone SOS raised by coordinates, an alert of an unplaced device)
  belongs to no district, so only a principal without a district scope sees it: the city's
  centre handles the unplaced, a district's commander is not shown them.
* ``cameras`` — camera ids (a recognition reviewer): cameras, crops and plate reads of those
  cameras, alerts raised by recognition on them (a crop of the alert names its camera) and the
  incidents holding such an alert. Nothing else that has a site: no devices, no site registry.
* ``watchlists`` — watchlist ids: the watchlist routes show only those.

Table and column names in the SQL built here come from code, never from a request (hence the
S608 waivers); values travel as parameters. Conditions combine with AND; an empty set reaches
nothing. Crews are not scoped: any district may be sent any crew, and to choose one a dispatcher
must see where every crew is, so crew positions and the crew registry are shown whole.

Enforcement is fail-closed, in one guard on the app (`scope_guard`) for every scoped principal:

1. a path naming an object (``incident_id``, ``site_id``, ``recording_id`` …, see `FINDERS`)
   must name one within the scope, else 404 — what an unknown id gets, so the id's existence is
   not confirmed;
2. every other route must be listed either in `FILTERED` (it filters by scope in its own SQL,
   before paging) or in `UNSCOPED` (it holds nothing of any district: vocabularies, the base
   map, crews, plans); any other answers 403 ``out_of_scope``. A new route is therefore closed
   to scoped principals until someone decides which it is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Final

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from server.auth.schemas import Principal, Scope
from server.db import Database
from server.errors import Forbidden, NotFound, Unprocessable
from server.sql import placeholders


class Condition(msgspec.Struct, frozen=True):
    """A SQL boolean with `{}` placeholders (the `Database.fetch` style) and its arguments."""

    sql: str
    args: tuple[Any, ...] = ()

    def __and__(self, other: Condition) -> Condition:
        if self == ANYTHING:
            return other
        if other == ANYTHING:
            return self
        return Condition(f"({self.sql}) AND ({other.sql})", self.args + other.args)


ANYTHING: Final = Condition("1 = 1")
NOTHING: Final = Condition("1 = 0")


def one_of(column: str, values: Iterable[Any]) -> Condition:
    """``column`` is one of `values`, an IN list of parameters: the same text on both engines
    (a scope holds a few names or ids, never thousands)."""
    ordered = sorted(values)
    if not ordered:
        return NOTHING
    return Condition(f"{column} IN ({placeholders(len(ordered))})", tuple(ordered))


def site_reach(scope: Scope, alias: str = "s") -> Condition:
    """Sites (`alias` is the sites table) the scope reaches."""
    if scope.cameras is not None:
        return NOTHING
    return ANYTHING if scope.districts is None else one_of(f"{alias}.district", scope.districts)


def at_sites(scope: Scope, site_column: str) -> Condition:
    """The site whose id is in `site_column` is one the scope reaches (a NULL site never is)."""
    sites = site_reach(scope, "z")
    if sites in (ANYTHING, NOTHING):
        return sites
    inner = f"{site_column} IN (SELECT z.id FROM sites z WHERE {sites.sql})"  # noqa: S608
    return Condition(inner, sites.args)


def in_districts(scope: Scope, site_column: str) -> Condition:
    """Like `at_sites`, for rows reached by their site's district alone (cameras, alerts)."""
    return at_sites(Scope(districts=scope.districts), site_column)


def camera_reach(scope: Scope, alias: str = "c") -> Condition:
    """Cameras (`alias` is the cameras table) the scope reaches."""
    reach = in_districts(scope, f"{alias}.site_id")
    return reach if scope.cameras is None else reach & one_of(f"{alias}.id", scope.cameras)


def alert_reach(scope: Scope, alias: str = "a") -> Condition:
    """Alerts (`alias` is the alerts table) the scope reaches."""
    reach = in_districts(scope, f"{alias}.site_id")
    if scope.cameras is None:
        return reach
    cameras = one_of("y.camera_id", scope.cameras)
    return reach & Condition(
        f"{alias}.id IN (SELECT y.alert_id FROM recognition_crops y "  # noqa: S608
        f"WHERE y.alert_id IS NOT NULL AND {cameras.sql})",
        cameras.args,
    )


def incident_reach(scope: Scope, alias: str = "i") -> Condition:
    """Incidents (`alias` is the incidents table) the scope reaches."""
    reach = in_districts(scope, f"{alias}.site_id")
    if scope.cameras is None:
        return reach
    alerts = alert_reach(Scope(cameras=scope.cameras), "x")
    return reach & Condition(
        f"{alias}.id IN (SELECT x.incident_id FROM alerts x WHERE {alerts.sql})",  # noqa: S608
        alerts.args,
    )


def device_reach(scope: Scope, alias: str = "d") -> Condition:
    """Devices (`alias` is the devices table, whose `site` column holds the site's id)."""
    return at_sites(scope, f"{alias}.site")


def watchlist_reach(scope: Scope, column: str) -> Condition:
    return ANYTHING if scope.watchlists is None else one_of(column, scope.watchlists)


def of_cameras(scope: Scope, camera_column: str) -> Condition:
    cameras = camera_reach(scope)
    inner = f"{camera_column} IN (SELECT c.id FROM cameras c WHERE {cameras.sql})"  # noqa: S608
    return Condition(inner, cameras.args)


def where(
    condition: Condition, sql: str, args: Iterable[Any] = (), *, more: bool = False
) -> tuple[str, list[Any]]:
    """`sql` (a SELECT with nothing after its FROM, or, with `more`, after its own WHERE)
    narrowed by `condition`; the arguments follow `args`."""
    if condition == ANYTHING:
        return sql, list(args)
    joiner = " AND " if more else " WHERE "
    return f"{sql}{joiner}({condition.sql})", [*args, *condition.args]


async def incidents_within(db: Database, scope: Scope) -> list[int]:
    """The ids of every incident the scope reaches (sync's incident scopes)."""
    sql, args = where(incident_reach(scope, "i"), "SELECT i.id FROM incidents i")
    return [int(row["id"]) for row in await db.fetch(sql + " ORDER BY i.id", *args)]


# --- what a path parameter names, and whether a scope reaches it ---------------------------

Reaches = Callable[[Database, Scope, Any], "Any"]


def _row_in(table: str, alias: str, reach: Callable[[Scope, str], Condition]) -> Reaches:
    async def reaches(db: Database, scope: Scope, key: Any) -> bool:
        sql, args = where(
            reach(scope, alias),
            f"SELECT 1 AS found FROM {table} {alias} WHERE {alias}.id = {{}}",  # noqa: S608
            more=True,
        )
        return await db.fetch_one(sql, key, *args) is not None

    return reaches


async def _recording(db: Database, scope: Scope, recording_id: Any) -> bool:
    """A recording is reached through an incident it is linked to (its custody log's `linked`
    entries); one linked to none is reached by no scoped principal."""
    rows = await db.fetch(
        "SELECT data FROM custody WHERE kind = {} AND recording_id = {}", "linked", recording_id
    )
    for row in rows:
        data = row["data"]
        decoded = msgspec.json.decode(data) if isinstance(data, str | bytes) else data
        incident = decoded.get("incident_id") if isinstance(decoded, dict) else None
        if isinstance(incident, int) and await FINDERS["incident_id"](db, scope, incident):
            return True
    return False


async def _redaction(db: Database, scope: Scope, redaction_id: Any) -> bool:
    row = await db.fetch_one("SELECT recording_id FROM redactions WHERE id = {}", redaction_id)
    return row is not None and await _recording(db, scope, row["recording_id"])


def _by_site(table: str) -> Reaches:
    return _row_in(table, "t", lambda scope, alias: at_sites(scope, f"{alias}.site_id"))


FINDERS: Final[dict[str, Reaches]] = {
    "incident_id": _row_in("incidents", "i", incident_reach),
    "alert_id": _row_in("alerts", "a", alert_reach),
    "camera_id": _row_in("cameras", "c", camera_reach),
    "device_id": _row_in("devices", "d", device_reach),
    "site_id": _row_in("sites", "s", site_reach),
    "watchlist_id": _row_in(
        "watchlists", "w", lambda scope, alias: watchlist_reach(scope, f"{alias}.id")
    ),
    "crop_id": _row_in(
        "recognition_crops",
        "r",
        lambda scope, alias: of_cameras(scope, f"{alias}.camera_id"),
    ),
    "recording_id": _recording,
    "redaction_id": _redaction,
    "test_id": _by_site("site_tests"),
    "contact_id": _by_site("contacts"),
}
"""Path parameter → whether a scope reaches the object it names."""

ITEM_FINDERS: Final[dict[str, str]] = {
    "/api/v1/sites/": "site_id",
    "/api/v1/devices/": "device_id",
}
"""The registries call their id ``item_id``: which object that is, by the path's prefix."""

FREE_PARAMETERS: Final = frozenset({"person_id", "version", "index", "frame", "file_path"})
"""Parameters that only narrow within an object another parameter names (a watchlist's person,
a plan's version), or name nothing of a district."""

FILTERED: Final = frozenset(
    {
        ("GET", "/api/v1/sites"),
        ("GET", "/api/v1/devices"),
        ("GET", "/api/v1/alerts"),
        ("POST", "/api/v1/alerts"),
        ("GET", "/api/v1/incidents"),
        ("GET", "/api/v1/cameras"),
        ("GET", "/api/v1/cameras/status"),
        ("GET", "/api/v1/watchlists"),
        ("GET", "/api/v1/plates/reads"),
        ("GET", "/api/v1/recognitions/recent"),
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/stats/export.csv"),
        ("GET", "/api/v1/tests"),
        ("POST", "/sync/v1/push"),
        ("POST", "/sync/v1/pull"),
        ("GET", "/sync/v1/snapshot"),
    }
)
"""Routes naming no object that narrow what they answer to the caller's scope themselves."""

UNSCOPED: Final = frozenset(
    {
        ("GET", "/api/v1/crews"),
        ("GET", "/api/v1/crews/{item_id:int}"),
        ("GET", "/api/v1/incidents/vocabulary"),
        ("GET", "/api/v1/plates/lists"),
        ("GET", "/api/v1/plates/lists/{list_id:int}"),
        ("GET", "/api/v1/plates/lists/{list_id:int}/entries"),
        ("GET", "/api/v1/plans"),
        ("GET", "/api/v1/plans/{plan_id:int}"),
        ("GET", "/api/v1/plans/{plan_id:int}/versions/{version:int}"),
        ("GET", "/api/v1/evidence/retention/categories"),
        ("GET", "/api/v1/notifications/channels"),
        ("GET", "/api/v1/web/config"),
        ("GET", "/api/v1/web/basemap"),
        ("GET", "/api/v1/web/basemap.pmtiles"),
        ("GET", "/api/v1/crew-app/basemap"),
        ("GET", "/api/v1/crew-app/basemap.pmtiles"),
        # A person's own session: who am I, sign out (server/accounts/routes.py).
        ("GET", "/api/v1/session"),
        ("DELETE", "/api/v1/session"),
        ("POST", "/api/v1/session/everywhere"),
    }
)
"""Routes that hold nothing of any district: open to a scoped principal as they are."""


def _principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def _finder(template: str, name: str) -> Reaches | None:
    if name == "item_id":
        for prefix, real in ITEM_FINDERS.items():
            if template.startswith(prefix):
                return FINDERS[real]
        return None
    return FINDERS.get(name)


def scope_guard(db: Database) -> Guard:
    """The guard that keeps a scoped principal within its scope (see the module's docstring);
    a principal whose scope is no narrower than its role passes untouched."""

    async def keep_within_scope(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        principal = _principal(connection)
        if principal is None or principal.scope.unlimited:
            return
        template = str(connection.scope.get("path_template", ""))
        method = str(connection.scope.get("method", "GET"))
        route = (method, template)
        named = False
        for name, value in connection.path_params.items():
            if name in FREE_PARAMETERS:
                continue
            finder = _finder(template, name)
            if finder is None:
                if route in UNSCOPED:
                    continue
                raise _beyond(principal)
            named = True
            if not await finder(db, principal.scope, value):
                raise NotFound(f"There is nothing with {name} {value} within your reach.")
        if not named and route not in FILTERED and route not in UNSCOPED:
            raise _beyond(principal)

    return keep_within_scope


def _beyond(principal: Principal) -> Forbidden:
    return Forbidden(
        f"The scope of {principal.name} does not cover this route; ask an administrator.",
        code="out_of_scope",
    )


async def require_site(db: Database, principal: Principal, site_id: int | None) -> None:
    """A scoped principal writes only at a site within its reach (an unplaced alert would
    belong to no district, beyond its own sight): an unknown or out-of-reach site reads the
    same, "no site with that id"."""
    if principal.scope.unlimited:
        return
    if site_id is None:
        raise _beyond(principal)
    if not await FINDERS["site_id"](db, principal.scope, site_id):
        raise Unprocessable(f"There is no site with id {site_id}.", code="unknown_site")


# --- the /ws/dispatch stream ----------------------------------------------------------------

WITHHELD_EVENT: Final = "withheld"
"""What a scoped socket gets in place of an event beyond its scope: the seq, so the client's
count of events stays whole (a hole would make it reconnect), and nothing else. The pages ignore
event types they do not know."""

UNSCOPED_EVENTS: Final = frozenset({"crew"})
"""Events of no district: crews, shown whole (see the module's docstring)."""


def withheld(seq: int) -> str:
    return f'{{"type":"{WITHHELD_EVENT}","seq":{seq},"data":{{}}}}'


async def event_reaches(db: Database, scope: Scope, event_type: str, data: str) -> bool:
    """Whether a dispatch-stream event (its type and stored JSON) is within `scope`: by the
    incident it names (`incident_id`, or its own id for an incident), the alert it is, or the
    site it names; an event naming none of them is withheld."""
    if event_type in UNSCOPED_EVENTS:
        return True
    decoded = msgspec.json.decode(data)
    if not isinstance(decoded, dict):
        return False
    for key, finder in (
        ("incident_id", "incident_id"),
        ("id", "incident_id" if event_type == "incident" else ""),
        ("id", "alert_id" if event_type == "alert" else ""),
        ("site_id", "site_id"),
    ):
        value = decoded.get(key)
        if finder and isinstance(value, int) and not isinstance(value, bool):
            return bool(await FINDERS[finder](db, scope, value))
    return False


REACH_DECISIONS_MAX: Final = 4096
"""How many (scope, stream, seq) answers a node keeps: a burst's events for every scope in use."""


class ReachDecisions:
    """`event_reaches` answers shared by the sockets of one node. An event's reach is fixed (the
    incident, alert or site it names does not move between districts), so every socket of one
    scope asks the database once per event, not once each: a district's hundred desks, one
    query. Bounded: past `max_entries` the oldest answer is forgotten (and asked again if
    needed, by a socket replaying old events)."""

    def __init__(self, max_entries: int = REACH_DECISIONS_MAX) -> None:
        self._max_entries = max_entries
        self._decided: OrderedDict[tuple[Scope, str, int], bool] = OrderedDict()

    def __len__(self) -> int:
        return len(self._decided)

    async def reaches(
        self, db: Database, scope: Scope, stream: str, seq: int, event_type: str, data: str
    ) -> bool:
        key = (scope, stream, seq)
        known = self._decided.get(key)
        if known is not None:
            return known
        decided = await event_reaches(db, scope, event_type, data)
        self._decided[key] = decided
        while len(self._decided) > self._max_entries:
            self._decided.popitem(last=False)
        return decided
