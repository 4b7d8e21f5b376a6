"""Route factory for the registry resources (sites, devices, crews): the same five routes each.

No `from __future__ import annotations` here on purpose: the handlers are built inside a function
and litestar must see their real types, not strings naming local variables. Every handler runs
on the app's database (`posbon.db`), which the services take first.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from litestar import Router, delete, get, patch, post

from server.auth.guards import allow, principal_of
from server.auth.schemas import Principal, Role
from server.crud import Registry
from server.db import Database
from server.errors import NotFound
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.state import Posbon

InT = TypeVar("InT")
PatchT = TypeVar("PatchT")
OutT = TypeVar("OutT")


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
) -> Router:
    """`remove` replaces the plain delete (to clean up after an item); `only_item` names the one
    item a caller may read (None: every item), for roles that must not see the others."""
    in_type, patch_type, out_type = types
    write = allow(Role.ADMIN)
    read = allow(*read_roles)
    delete_one = remove or registry.delete

    def _only(request: AnyRequest) -> int | None:
        return None if only_item is None else only_item(principal_of(request))

    @get("/", **read, summary=f"List {tag}")
    async def list_items(
        request: AnyRequest, posbon: Posbon, limit: Limit = 100, offset: Offset = 0
    ) -> list[out_type]:  # type: ignore[valid-type]
        own = _only(request)
        if own is None:
            return await registry.list(posbon.db, limit=limit, offset=offset)
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
    async def create_item(posbon: Posbon, data: JSONBody[in_type]) -> out_type:  # type: ignore[valid-type]
        return await create(posbon.db, data)

    @patch("/{item_id:int}", **write, summary=f"Change one of {tag}")
    async def update_item(posbon: Posbon, item_id: PathId, data: JSONBody[patch_type]) -> out_type:  # type: ignore[valid-type]
        return await update(posbon.db, item_id, data)

    @delete("/{item_id:int}", **write, summary=f"Delete one of {tag}")
    async def delete_item(posbon: Posbon, item_id: PathId) -> None:
        await delete_one(posbon.db, item_id)

    handlers = [list_items, get_item, create_item, update_item, delete_item, *extra]
    return Router(path=path, route_handlers=handlers, tags=[tag])
