"""The server data a page shell carries, filled into empty `<script type="application/json">`
elements of each app's index.html before the page is sent:

- `#posbon-vocabulary`: the incident vocabulary. Both apps read the statuses, the allowed moves
  and the outcomes from it instead of keeping copies.
- `#posbon-settings`: the deployment's settings a page needs before it draws (`PageSettings`:
  the time zone every date and time is shown in).

The crew app's service worker caches the filled-in page, so a tablet has both offline too.
"""

from __future__ import annotations

import functools
from typing import Final

import msgspec

from server.incidents.vocabulary import ELEMENT_ID, VOCABULARY
from server.settings import Settings

SETTINGS_ELEMENT_ID: Final = "posbon-settings"


class PageSettings(msgspec.Struct, frozen=True, kw_only=True):
    time_zone: str
    """IANA name; the apps format with Intl.DateTimeFormat(language, {timeZone})."""


def _empty_element(element_id: str) -> bytes:
    return f'<script type="application/json" id="{element_id}"></script>'.encode()


EMPTY_ELEMENT: Final = _empty_element(ELEMENT_ID)
EMPTY_SETTINGS_ELEMENT: Final = _empty_element(SETTINGS_ELEMENT_ID)


def _script_json(value: object) -> bytes:
    # "<" escaped: no value can end the script element early.
    return msgspec.json.encode(value).replace(b"<", b"\\u003c")


@functools.cache
def _vocabulary_json() -> bytes:
    return _script_json(VOCABULARY)


def _filled(page: bytes, element_id: str, content: bytes) -> bytes:
    """The page with its one empty element ``element_id`` holding ``content``; ValueError if
    the page has no such element, or several."""
    empty = _empty_element(element_id)
    if page.count(empty) != 1:
        raise ValueError(f"the page needs exactly one empty #{element_id} element")
    return page.replace(empty, empty.replace(b"></script>", b">" + content + b"</script>"))


def with_vocabulary(page: bytes) -> bytes:
    """The page with its vocabulary element filled in; ValueError if it has no such element."""
    return _filled(page, ELEMENT_ID, _vocabulary_json())


def with_settings(page: bytes, settings: PageSettings) -> bytes:
    """The page with its settings element filled in; ValueError if it has no such element."""
    return _filled(page, SETTINGS_ELEMENT_ID, _script_json(settings))


def page_settings(settings: Settings) -> PageSettings:
    return PageSettings(time_zone=settings.time_zone)


@functools.lru_cache(maxsize=4)
def with_page_settings(page: bytes, settings: PageSettings) -> bytes:
    """``with_settings``, kept for the few settings a process serves (one, but tests start
    several apps): the element is filled for each request without re-encoding every time."""
    return with_settings(page, settings)
