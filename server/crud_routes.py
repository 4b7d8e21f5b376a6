"""Route factory for the registry resources (sites, devices, crews): the same five routes each.

No `from __future__ import annotations` here on purpose: the handlers are built inside a function
and litestar must see their real types, not strings naming local variables.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from litestar import Router, delete, get, patch, post
from litestar.params import QueryParameter

from server.auth.guards import allow
from server.auth.schemas import Role
from server.crud import Registry
from server.http_params import JSONBody, PathId
from server.text import MAX_OFFSET

InT = TypeVar("InT")
PatchT = TypeVar("PatchT")
OutT = TypeVar("OutT")

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="Most items to return.")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def registry_router(
    *,
    path: str,
    tag: str,
    registry: Registry[Any],
    types: tuple[type[InT], type[PatchT], type[OutT]],
    create: Callable[[InT], Awaitable[OutT]],
    update: Callable[[int, PatchT], Awaitable[OutT]],
    read_roles: Sequence[Role],
    extra: Sequence[Any] = (),
) -> Router:
    in_type, patch_type, out_type = types
    write = allow(Role.admin)
    read = allow(*read_roles)

    @get("/", **read, summary=f"List {tag}")
    async def list_items(limit: Limit = 100, offset: Offset = 0) -> list[out_type]:  # type: ignore[valid-type]
        return await registry.list(limit=limit, offset=offset)

    @get("/{item_id:int}", **read, summary=f"Get one of {tag}")
    async def get_item(item_id: PathId) -> out_type:  # type: ignore[valid-type]
        found: out_type = await registry.get(item_id)  # type: ignore[valid-type]
        return found

    @post("/", **write, summary=f"Create one of {tag}")
    async def create_item(data: JSONBody[in_type]) -> out_type:  # type: ignore[valid-type]
        return await create(data)

    @patch("/{item_id:int}", **write, summary=f"Change one of {tag}")
    async def update_item(item_id: PathId, data: JSONBody[patch_type]) -> out_type:  # type: ignore[valid-type]
        return await update(item_id, data)

    @delete("/{item_id:int}", **write, summary=f"Delete one of {tag}")
    async def delete_item(item_id: PathId) -> None:
        await registry.delete(item_id)

    handlers = [list_items, get_item, create_item, update_item, delete_item, *extra]
    return Router(path=path, route_handlers=handlers, tags=[tag])
