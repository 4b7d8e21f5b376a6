"""Who holds a lease on the real PostgreSQL: the sessions holding its advisory lock."""

from __future__ import annotations

import asyncpg

from server.cluster.leases import lock_key

_HOLDERS = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND classid::bigint = $1 AND objid::bigint = $2"
)


async def lock_holders(database_url: str, name: str) -> list[int]:
    """The backend pids holding the lease ``name`` (at most one while the lease works)."""
    key = lock_key(name) & 0xFFFF_FFFF_FFFF_FFFF
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(_HOLDERS, key >> 32, key & 0xFFFF_FFFF)
    finally:
        await connection.close()
    return [row["pid"] for row in rows]
