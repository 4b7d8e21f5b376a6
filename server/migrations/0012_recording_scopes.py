"""Recordings move into their owners' scopes (server/sync/scopes.py): each recording joins
`recordings:<device id>` of the device that created it, so a station pulls only its own; a
recording whose access class is restricted or confidential leaves `recordings` and its
incident's scope for `recordings:restricted`.

Only the snapshot membership changes: a station's next pull evicts `recordings` and resets its
own scopes, whose snapshots list its recordings. The scope names are written out here, as they
were when this migration was made, rather than imported from the code that may change later.
"""

from typing import Any, Final

import msgspec
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-10T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recordings in their owners' sync scopes"

OPEN_SCOPE: Final = "recordings"
RESTRICTED_SCOPE: Final = "recordings:restricted"
KIND: Final = "recording"


def scopes_of(fields: dict[str, Any], before: list[str]) -> list[str]:
    """A recording's scopes from its stored fields and its scopes before this migration."""
    creator = (fields.get("sha256") or {}).get("device_id")
    owner = [] if creator is None else [f"recordings:{creator}"]
    access = (fields.get("access_class") or {}).get("value")
    if access not in (None, "normal"):
        return [*owner, RESTRICTED_SCOPE]
    linked = [scope for scope in before if scope.startswith("incident:")]
    return [*owner, OPEN_SCOPE, *linked]


async def rescope() -> None:
    engine = engine_finder()
    assert engine is not None

    async def run(sql: str, *args: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await engine.run_querystring(QueryString(sql, *args))
        return rows

    rows = await run("SELECT entity_id, fields, scopes FROM sync_entities WHERE kind = {}", KIND)
    for row in rows:
        before: list[str] = msgspec.json.decode(row["scopes"])
        after = scopes_of(msgspec.json.decode(row["fields"]), before)
        if set(after) == set(before):
            continue
        entity_id = row["entity_id"]
        await run(
            "UPDATE sync_entities SET scopes = {} WHERE kind = {} AND entity_id = {}",
            msgspec.json.encode(after).decode(),
            KIND,
            entity_id,
        )
        for scope in set(before) - set(after):
            await run(
                "DELETE FROM sync_members WHERE scope = {} AND entity_id = {} AND kind = {}",
                scope,
                entity_id,
                KIND,
            )
        for scope in sorted(set(after) - set(before)):
            await run(
                "INSERT INTO sync_members (scope, entity_id, kind) VALUES ({}, {}, {}) "
                "ON CONFLICT DO NOTHING",
                scope,
                entity_id,
                KIND,
            )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="server", description=DESCRIPTION)
    manager.add_raw(rescope)
    return manager
