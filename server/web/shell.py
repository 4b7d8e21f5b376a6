"""The one piece of server data a page shell carries: the incident vocabulary, filled into the
empty `<script type="application/json" id="posbon-vocabulary">` element of each app's index.html.

Both apps read the statuses, the allowed moves and the outcomes from it instead of keeping
copies; the crew app's service worker caches the filled-in page, so it has them offline too.
"""

from __future__ import annotations

import functools

import msgspec

from server.incidents.vocabulary import ELEMENT_ID, VOCABULARY

EMPTY_ELEMENT = f'<script type="application/json" id="{ELEMENT_ID}"></script>'.encode()


@functools.cache
def _vocabulary_json() -> bytes:
    # "<" escaped: no value can end the script element early.
    return msgspec.json.encode(VOCABULARY).replace(b"<", b"\\u003c")


def with_vocabulary(page: bytes) -> bytes:
    """The page with its vocabulary element filled in; ValueError if it has no such element."""
    if page.count(EMPTY_ELEMENT) != 1:
        raise ValueError(f"the page needs exactly one empty #{ELEMENT_ID} element")
    filled = EMPTY_ELEMENT.replace(b"></script>", b">" + _vocabulary_json() + b"</script>")
    return page.replace(EMPTY_ELEMENT, filled)
