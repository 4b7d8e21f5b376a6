"""The outside party's page of a share link, as HTML: pure functions of what it shows.

No script: the page is a list of the shared recordings (title, time, camera, size, SHA-256) with
a player (view mode) or a download link (download mode), a PIN form, or a page saying why the
link opens nothing. It carries nothing of Posbon beyond what was shared: no staff names, no
reason, no incident number. Every value is escaped; the route sends it with a policy that allows
only this origin's stylesheet and media (`PAGE_HEADERS`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Final

from server.evidence.share_schemas import SharedItem, ShareMode, ShareRecord
from server.evidence.share_words import WORDS

STYLESHEET: Final = "/static/share/share.css"
BYTES_PER_KIB: Final = 1024
BYTES_PER_MIB: Final = 1024 * 1024
SECONDS_PER_MINUTE: Final = 60
PAGE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; media-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    # The link is the key: it must never leave in a Referer header or a cache.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Vary": "Accept-Language, Cookie",
}


def _words(language: str) -> Mapping[str, str]:
    return WORDS.get(language, WORDS["en"])


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _document(language: str, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{_esc(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f'<title>{_esc(title)}</title><link rel="stylesheet" href="{STYLESHEET}"></head>'
        f"<body><main>{body}</main></body></html>\n"
    )


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(round(seconds), SECONDS_PER_MINUTE)
    return f"{minutes}:{rest:02d}"


def _size(size_bytes: int | None) -> str:
    if size_bytes is None:
        return ""
    if size_bytes < BYTES_PER_MIB:
        return f"{size_bytes / BYTES_PER_KIB:.1f} KiB ({size_bytes} B)"
    return f"{size_bytes / BYTES_PER_MIB:.1f} MiB ({size_bytes} B)"


def _facts(rows: list[tuple[str, str, str]]) -> str:
    shown = "".join(
        f'<dt>{_esc(name)}</dt><dd class="{css}">{_esc(value)}</dd>'
        for name, value, css in rows
        if value
    )
    return f"<dl>{shown}</dl>"


def _item(item: SharedItem, mode: ShareMode, base: str, words: Mapping[str, str]) -> str:
    facts = _facts(
        [
            (words["recorded"], _when(item.recorded_start), ""),
            (words["duration"], _duration(item.duration_s), ""),
            (words["camera"], item.camera, ""),
            (words["size"], _size(item.size_bytes), ""),
            ("SHA-256", item.sha256 or "", "hash"),
        ]
    )
    file_url = f"{base}/files/{_esc(item.recording_id)}"
    if not item.available:
        use = f'<p class="gone">{_esc(words["unavailable"])}</p>'
    elif mode is ShareMode.VIEW:
        use = (
            '<video controls preload="metadata" controlslist="nodownload" '
            f'src="{file_url}"></video>'
        )
    else:
        use = (
            f'<a class="button" href="{file_url}?download=1" download="{_esc(item.file_name)}">'
            f"{_esc(words['download'])} {_esc(item.file_name)}</a>"
        )
    return f'<section class="item"><h2>{_esc(item.title)}</h2>{facts}{use}</section>'


def items_page(share: ShareRecord, items: list[SharedItem], base: str, language: str) -> str:
    """The shared recordings; `base` is the link's own path (`/share/<token>`)."""
    words = _words(language)
    mode = words["mode_view"] if share.mode is ShareMode.VIEW else words["mode_download"]
    summary = _facts(
        [
            (words["recipient"], share.recipient, ""),
            (words["valid_until"], _when(share.expires_at), ""),
            (words["access"], mode, ""),
        ]
    )
    body = (
        f"<h1>{_esc(words['page_title'])}</h1>"
        f'<section class="summary">{summary}'
        f'<p class="audit">{_esc(words["audit"])}</p></section>'
        + "".join(_item(item, share.mode, base, words) for item in items)
    )
    return _document(language, words["page_title"], body)


def pin_page(base: str, language: str, tries_left: int | None = None) -> str:
    """The PIN form; `tries_left` after a wrong PIN."""
    words = _words(language)
    wrong = ""
    if tries_left is not None:
        sentence = words["pin_wrong"].format(tries=tries_left)
        wrong = f'<p class="alert" role="alert">{_esc(sentence)}</p>'
    body = (
        f"<h1>{_esc(words['pin_title'])}</h1>"
        f'<section class="pin"><p>{_esc(words["pin_prompt"])}</p>{wrong}'
        f'<form method="post" action="{base}/pin">'
        f'<label for="pin">{_esc(words["pin_label"])}</label>'
        '<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" '
        'required pattern="[0-9]{4,12}" maxlength="12"> '
        f'<button type="submit">{_esc(words["pin_submit"])}</button></form>'
        f'<p class="audit">{_esc(words["audit"])}</p></section>'
    )
    return _document(language, words["pin_title"], body)


def problem_page(code: str, language: str, locked_until: dt.datetime | None = None) -> str:
    """Why the link opens nothing: unknown, revoked, expired, or locked after wrong PINs."""
    words = _words(language)
    if locked_until is not None:
        until = locked_until.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        sentence = words["locked"].format(until=until)
    else:
        sentence = words.get(code, words["share_not_found"])
    body = (
        f"<h1>{_esc(words['problem_title'])}</h1>"
        f'<section class="problem"><p data-code="{_esc(code)}">{_esc(sentence)}</p></section>'
    )
    return _document(language, words["problem_title"], body)
