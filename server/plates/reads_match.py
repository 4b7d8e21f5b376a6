"""Fuzzy plate search: the key a read is stored under and the keys a search asks for.

A read is stored under its *search key*: upper-case letters and digits only (spaces, dashes and
dots gone, Cyrillic look-alikes as Latin), with the pairs that readers and people confuse folded
onto one character (O and Q as 0, I as 1, B as 8, S as 5, Z as 2). A search asks for every key
within one edit (one character changed, added or dropped) of its own key: for a plate of eight
characters about five hundred keys, each an index probe, so a month of reads is searched without
a scan and the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Final

from recognition.plate_format import clean

_LOOSE: Final = str.maketrans({"O": "0", "Q": "0", "I": "1", "B": "8", "S": "5", "Z": "2"})
KEY_ALPHABET: Final = "0123456789ACDEFGHJKLMNPRTUVWXY"
"""Every character a search key can hold: digits and the letters no fold removes."""
MIN_QUERY_CHARS: Final = 2
MAX_QUERY_CHARS: Final = 16
"""Longer than any plate: a longer query is a mistake, and would ask for too many keys."""


def search_key(text: str) -> str:
    """The form a plate is stored and searched under (module docstring)."""
    return clean(text).translate(_LOOSE)


def within_one_edit(key: str) -> frozenset[str]:
    """Every key at most one edit from ``key``: itself, one character dropped, changed or added."""
    found = {key}
    for index in range(len(key) + 1):
        head, tail = key[:index], key[index:]
        if tail:
            found.add(head + tail[1:])
        for char in KEY_ALPHABET:
            found.add(head + char + tail)
            if tail:
                found.add(head + char + tail[1:])
    found.discard("")
    return frozenset(found)
