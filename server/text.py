"""Limits shared by every request schema."""

from typing import Annotated, Final

import msgspec

NO_NUL: Final = r"^[^\x00]*$"
"""Strings may hold any character but NUL, which PostgreSQL text cannot store."""

MAX_ID: Final = 2**31 - 1
"""Ids are 32-bit on PostgreSQL; anything larger names nothing and is refused up front."""

MAX_OFFSET: Final = 10**9

Text40 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=40)]
Text100 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=100)]
Text128 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=128)]
Text200 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=200)]
Text400 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=400)]
Text2000 = Annotated[str, msgspec.Meta(pattern=NO_NUL, max_length=2000)]


FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (OWASP's CSV injection list)."""


def spreadsheet_text(value: str) -> str:
    """Text for a CSV export that a spreadsheet shows as text and never runs."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
