"""The page a browser gets when single sign-on cannot go on: the error's sentence in the
reader's language (server/messages) and a link back to the sign-in screen, with the error's
status. A client that asks for JSON gets the usual error body instead (server/errors.py)."""

from __future__ import annotations

import html
from typing import Final

from litestar import MediaType, Response

from server.errors import ApiError, request_language
from server.http_params import AnyRequest
from server.messages import localize

_PAGE: Final = """<!doctype html>
<html lang="{language}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Posbon</title>
<main style="max-width:32rem;margin:3rem auto;font:1rem/1.5 system-ui,sans-serif">
<h1 style="font-size:1.25rem">Posbon</h1>
<p role="alert" data-code="{code}">{message}</p>
<p><a href="/">&larr; Posbon</a></p>
</main>
"""


def wants_page(request: AnyRequest) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def refusal_page(request: AnyRequest, err: ApiError) -> Response[str]:
    language = request_language(request)
    body = _PAGE.format(
        language=html.escape(language),
        code=html.escape(err.code),
        message=html.escape(localize(err.code, err.detail, language)),
    )
    headers = {
        "Content-Language": language,
        "Vary": "Accept, Accept-Language",
        "Cache-Control": "no-store",
    }
    return Response(body, status_code=err.status_code, media_type=MediaType.HTML, headers=headers)
