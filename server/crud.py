"""Create/read/update/delete for the registry tables (sites, devices, crews).

A `Registry` binds one piccolo table to one output Struct; rows become Structs here and never
travel further (STYLE rule 7).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from piccolo.table import Table

from server.errors import Conflict, NotFound
from server.sql import INTEGRITY_ERRORS

OutT = TypeVar("OutT")
Row = dict[str, Any]


class Registry(Generic[OutT]):
    def __init__(self, table: type[Table], label: str, to_struct: Callable[[Row], OutT]) -> None:
        self.table = table
        self.label = label
        self.to_struct = to_struct

    async def list(self, *, limit: int, offset: int) -> list[OutT]:
        pk = self.table._meta.primary_key  # noqa: SLF001
        rows = await self.table.select().order_by(pk).limit(limit).offset(offset)
        return [self.to_struct(row) for row in rows]

    async def find(self, item_id: int) -> OutT | None:
        row = await self.table.select().where(self.table._meta.primary_key == item_id).first()  # noqa: SLF001
        return None if row is None else self.to_struct(row)

    async def get(self, item_id: int) -> OutT:
        found = await self.find(item_id)
        if found is None:
            raise NotFound(f"There is no {self.label} with id {item_id}.")
        return found

    async def create(self, values: Mapping[str, Any]) -> OutT:
        try:
            rows = await self.table.insert(self.table(**values)).returning(
                *self.table._meta.columns  # noqa: SLF001
            )
        except INTEGRITY_ERRORS as err:
            raise Conflict(f"A {self.label} like this exists already: {err}.") from err
        return self.to_struct(rows[0])

    async def update(self, item_id: int, values: Mapping[str, Any]) -> OutT:
        if values:
            pk = self.table._meta.primary_key  # noqa: SLF001
            try:
                await self.table.update(dict(values.items())).where(pk == item_id)
            except INTEGRITY_ERRORS as err:
                raise Conflict(f"That change clashes with another {self.label}: {err}.") from err
        return await self.get(item_id)

    async def delete(self, item_id: int) -> None:
        await self.get(item_id)
        await self.table.delete().where(self.table._meta.primary_key == item_id)  # noqa: SLF001
