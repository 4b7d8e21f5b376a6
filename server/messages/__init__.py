"""Server messages in the reader's language: the sentence of every HTTP error body.

Languages are `en`, `ru`, `uz-Latn` and `uz-Cyrl`, one catalog module each. `negotiate` picks
one from an `Accept-Language` header (the apps send their chosen code; a browser sends its own
list): an exact code first, then the base language (`uz` → `uz-Latn`, `ru-RU` → `ru`), then
English.

How a sentence is translated without touching the sites that raise it: English (`en.py`) holds
every sentence as the server writes it, as a template with `{name}` where a per-call value goes
(an id, a crew's name, a status). `localize` matches the English detail against the templates of
its code; the one that matches gives the values, and the same key in the reader's catalog is
filled with them (statuses translated too). A detail that matches none (a new sentence, a
library's message) stays English: a true sentence beats a generic one. The `code` never changes,
so a client may also translate by code.

tests/unit/test_server/test_messages.py walks every code the server raises and fails when a
catalog lacks one, or when a translation drops or invents a `{name}`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from server.messages import en, ru, uz_cyrl, uz_latn

DEFAULT_LANGUAGE: Final = "en"
CATALOGS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": en.MESSAGES,
    "ru": ru.MESSAGES,
    "uz-Latn": uz_latn.MESSAGES,
    "uz-Cyrl": uz_cyrl.MESSAGES,
}
STATUSES: Final[Mapping[str, Mapping[str, str]]] = {
    "en": en.STATUSES,
    "ru": ru.STATUSES,
    "uz-Latn": uz_latn.STATUSES,
    "uz-Cyrl": uz_cyrl.STATUSES,
}
LANGUAGES: Final = tuple(CATALOGS)
STATUS_PLACEHOLDERS: Final = frozenset({"status", "target"})
"""Placeholders whose value is an incident status, shown in the reader's words."""

_BY_LOWER: Final = {code.lower(): code for code in LANGUAGES}
_BASE: Final = {"en": "en", "ru": "ru", "uz": "uz-Latn"}
_PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")


def negotiate(accept_language: str | None) -> str:
    """The catalog for an `Accept-Language` value, by its q-values (English when none fits)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = _quality(params)
        if tag and quality > 0:
            ranked.append((quality, tag.strip().lower()))
    ranked.sort(key=lambda item: -item[0])  # stable: equal q keeps the client's order
    for _, tag in ranked:
        found = _language_of(tag)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def _language_of(tag: str) -> str | None:
    if tag in _BY_LOWER:
        return _BY_LOWER[tag]
    subtags = tag.split("-")
    if subtags[0] == "uz" and "cyrl" in subtags[1:]:
        return "uz-Cyrl"
    return _BASE.get(subtags[0])


def localize(code: str, detail: str, language: str) -> str:
    """``detail`` (an English sentence raised with ``code``) in ``language``'s words."""
    catalog = CATALOGS.get(language)
    if catalog is None or language == DEFAULT_LANGUAGE:
        return detail
    for key, pattern in _patterns(code):
        matched = pattern.fullmatch(detail)
        if matched is not None and key in catalog:
            values = {
                name: STATUSES[language].get(value, value) if name in STATUS_PLACEHOLDERS else value
                for name, value in matched.groupdict().items()
            }
            return _fill(catalog[key], values)
    return detail


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda found: values[found.group(1)], template)


@functools.cache
def _patterns(code: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The English templates of ``code`` and its variants as regexes, the one with the most fixed
    text first: "…with id {id} for you." must win over "…with id {id}." ({id} = "5 for you")."""
    keys = [key for key in en.MESSAGES if key == code or key.startswith(code + ".")]
    keys.sort(key=lambda key: -len(_PLACEHOLDER.sub("", en.MESSAGES[key])))
    return tuple((key, _pattern(en.MESSAGES[key])) for key in keys)


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for found in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : found.start()]))
        parts.append(f"(?P<{found.group(1)}>.+?)")
        position = found.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
