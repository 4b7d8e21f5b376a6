"""Route factory for the registry resources (sites, devices, crews): the same five routes each.
Every create, change and delete is recorded in the audit log (server/audit) in its own
transaction, with the item before and after; a change of a `secret_fields` field is recorded as
`<item>.key_change`, never its value.

No `from __future__ import annotations` here on purpose: the handlers are built inside a function
and litestar must see their real types, not strings naming local variables. Every handler runs
on the app's database (`posbon.db`), which the services take first.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import msgspec
from litestar import Router, delete, get, patch, post

from server.audit.log import record
from server.auth.guards import allow, client_address, principal_of
from server.auth.schemas import Principal, Role, Scope
from server.auth.scope import ANYTHING, Condition
from server.crud import Registry
from server.db import Database
from server.errors import NotFound
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.state import Posbon

InT = TypeVar("InT")
PatchT = TypeVar("PatchT")
OutT = TypeVar("OutT")


async def _audit(
    request: AnyRequest, db: Database, action: str, target: str, **change: Any
) -> None:
    principal = principal_of(request)
    await record(
        db, action=action, actor=principal, target=target, address=client_address(request), **change
    )


async def _audit_secrets(
    request: AnyRequest, db: Database, noun: str, item: int, changed: list[str]
) -> None:
    """A changed secret is an entry of its own that names the field, never its value."""
    for name in changed:
        await _audit(request, db, f"{noun}.key_change", f"{noun}:{item}", detail=f"{name} changed")


def _given(patch: object, fields: frozenset[str]) -> list[str]:
    """The fields among `fields` that a PATCH body sets."""
    return [
        name for name in sorted(fields) if getattr(patch, name, msgspec.UNSET) is not msgspec.UNSET
    ]


def registry_router(
    *,
    path: str,
    tag: str,
    registry: Registry[Any],
    types: tuple[type[InT], type[PatchT], type[OutT]],
    create: Callable[[Database, InT], Awaitable[OutT]],
    update: Callable[[Database, int, PatchT], Awaitable[OutT]],
    read_roles: Sequence[Role],
    extra: Sequence[Any] = (),
    remove: Callable[[Database, int], Awaitable[None]] | None = None,
    only_item: Callable[[Principal], int | None] | None = None,
    secret_fields: frozenset[str] = frozenset(),
    reach: Callable[[Scope, str], Condition] | None = None,
) -> Router:
    """`remove` replaces the plain delete (to clean up after an item); `only_item` names the one
    item a caller may read (None: every item), for roles that must not see the others; `reach`
    narrows the list to a scoped caller's reach (server/auth/scope.py, whose guard refuses the
    items beyond it)."""
    in_type, patch_type, out_type = types
    write = allow(Role.ADMIN)
    read = allow(*read_roles)
    delete_one = remove or registry.delete
    noun = registry.label.replace(" ", "_")

    async def audit(request: AnyRequest, db: Database, verb: str, item: int, **change: Any) -> None:
        await _audit(request, db, f"{noun}.{verb}", f"{noun}:{item}", **change)

    def _only(request: AnyRequest) -> int | None:
        return None if only_item is None else only_item(principal_of(request))

    @get("/", **read, summary=f"List {tag}")
    async def list_items(
        request: AnyRequest, posbon: Posbon, limit: Limit = 100, offset: Offset = 0
    ) -> list[out_type]:  # type: ignore[valid-type]
        own = _only(request)
        if own is None:
            scope = principal_of(request).scope
            table = registry.table._meta.tablename  # noqa: SLF001  (piccolo's table metadata)
            within = ANYTHING if reach is None else reach(scope, table)
            narrowed = None if within == ANYTHING else (within.sql, within.args)
            return await registry.list(posbon.db, limit=limit, offset=offset, where=narrowed)
        found = await registry.find(posbon.db, own)
        return [found] if found is not None and offset == 0 else []

    @get("/{item_id:int}", **read, summary=f"Get one of {tag}")
    async def get_item(request: AnyRequest, posbon: Posbon, item_id: PathId) -> out_type:  # type: ignore[valid-type]
        own = _only(request)
        if own is not None and own != item_id:
            raise NotFound(f"There is no {registry.label} with id {item_id} for you.")
        found: out_type = await registry.get(posbon.db, item_id)  # type: ignore[valid-type]
        return found

    @post("/", **write, summary=f"Create one of {tag}")
    async def create_item(request: AnyRequest, posbon: Posbon, data: JSONBody[in_type]) -> out_type:  # type: ignore[valid-type]
        async with posbon.db.write():
            created = await create(posbon.db, data)
            await audit(request, posbon.db, "create", created.id, after=created)  # type: ignore[attr-defined]
        return created

    @patch("/{item_id:int}", **write, summary=f"Change one of {tag}")
    async def update_item(
        request: AnyRequest,
        posbon: Posbon,
        item_id: PathId,
        data: JSONBody[patch_type],  # type: ignore[valid-type]
    ) -> out_type:  # type: ignore[valid-type]
        db = posbon.db
        async with db.write():
            before = await registry.find(db, item_id)
            after = await update(db, item_id, data)
            await audit(request, db, "update", item_id, before=before, after=after)
            await _audit_secrets(request, db, noun, item_id, _given(data, secret_fields))
        return after

    @delete("/{item_id:int}", **write, summary=f"Delete one of {tag}")
    async def delete_item(request: AnyRequest, posbon: Posbon, item_id: PathId) -> None:
        db = posbon.db
        async with db.write():
            before = await registry.find(db, item_id)
            await delete_one(db, item_id)
            await audit(request, db, "delete", item_id, before=before)

    handlers = [list_items, get_item, create_item, update_item, delete_item, *extra]
    return Router(path=path, route_handlers=handlers, tags=[tag])
