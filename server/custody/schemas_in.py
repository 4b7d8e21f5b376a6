from __future__ import annotations

from typing import Annotated

import msgspec

from server.text import NO_NUL, Text2000

Category = Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=40)]


class LinkIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    incident_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    reason: Text2000 = ""


class CategoryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    category: Category
    reason: Annotated[str, msgspec.Meta(pattern=NO_NUL, min_length=1, max_length=2000)]
