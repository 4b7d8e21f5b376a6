"""Create/read/update/delete for the registry tables (sites, devices, crews).

A `Registry` binds one piccolo table to one output Struct; rows become Structs here and never
travel further (STYLE rule 7). Every query runs on the `Database` the caller passes
(`Database.run`), so a registry write joins the caller's `write()` transaction. The module that
builds a registry is the one that writes its table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from server.db import Database
from server.errors import Conflict, NotFound
from server.sql import INTEGRITY_ERRORS

OutT = TypeVar("OutT")
Row = dict[str, Any]


class Registry(Generic[OutT]):
    def __init__(self, table: type[Table], label: str, to_struct: Callable[[Row], OutT]) -> None:
        self.table = table
        self.label = label
        self.to_struct = to_struct
        self._pk = table._meta.primary_key  # noqa: SLF001  (piccolo's documented table metadata)

    async def list(
        self,
        db: Database,
        *,
        limit: int,
        offset: int,
        where: tuple[str, Sequence[Any]] | None = None,
    ) -> list[OutT]:
        """A page of rows; `where`, SQL with `{}` placeholders and its values, narrows them first
        (a scoped caller's reach, server/auth/scope.py: its SQL names this table by its name)."""
        query = self.table.select().order_by(self._pk).limit(limit).offset(offset)
        if where is not None:
            query = query.where(WhereRaw(where[0], *where[1]))
        return [self.to_struct(row) for row in await db.run(query)]

    async def find(self, db: Database, item_id: int) -> OutT | None:
        rows = await db.run(self.table.select().where(self._pk == item_id).limit(1))
        return self.to_struct(rows[0]) if rows else None

    async def get(self, db: Database, item_id: int) -> OutT:
        found = await self.find(db, item_id)
        if found is None:
            raise NotFound(f"There is no {self.label} with id {item_id}.")
        return found

    async def create(self, db: Database, values: Mapping[str, Any]) -> OutT:
        columns = self.table._meta.columns  # noqa: SLF001  (as above)
        try:
            rows = await db.run(self.table.insert(self.table(**values)).returning(*columns))
        except INTEGRITY_ERRORS as err:
            raise Conflict(f"A {self.label} like this exists already: {err}.") from err
        return self.to_struct(rows[0])

    async def update(self, db: Database, item_id: int, values: Mapping[str, Any]) -> OutT:
        if values:
            try:
                await db.run(self.table.update(dict(values.items())).where(self._pk == item_id))
            except INTEGRITY_ERRORS as err:
                raise Conflict(f"That change clashes with another {self.label}: {err}.") from err
        return await self.get(db, item_id)

    async def delete(self, db: Database, item_id: int) -> None:
        await self.get(db, item_id)
        await db.run(self.table.delete().where(self._pk == item_id))
