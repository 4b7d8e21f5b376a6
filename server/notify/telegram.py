"""The Telegram channel: the Bot API's sendMessage over HTTPS (httpx).

Telegram answers `{"ok": true, "result": {"message_id": …}}` once the message is in the chat,
so an ok answer is the delivery itself: there is no later receipt. A 429 (flood control), a
5xx or a network error is the provider's trouble (ChannelDown: the notice is tried again); any
other refusal (400 chat not found, 403 the user blocked the bot, 401 a wrong token) will not get
better by retrying (Rejected). The token is part of every URL: it is never logged.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
import msgspec

from server.notify.channels import ChannelDown, Outcome, Rejected, Sent

REQUEST_TIMEOUT_S: Final = 10.0
RETRYABLE: Final = frozenset({429})


class _Message(msgspec.Struct):
    message_id: int


class _Answer(msgspec.Struct):
    ok: bool
    result: _Message | None = None
    error_code: int | None = None
    description: str = ""


_ANSWER: Final = msgspec.json.Decoder(_Answer)


class TelegramChannel:
    def __init__(self, api_url: str, token: str, timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        self._url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def send(self, text: str, address: str) -> Sent:
        payload: dict[str, Any] = {"chat_id": address, "text": text}
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.HTTPError as err:
            # The message of an httpx error may hold the URL, and so the token: name the type.
            raise ChannelDown(f"the Bot API cannot be reached ({type(err).__name__})") from None
        try:
            answer = _ANSWER.decode(response.content)
        except (msgspec.ValidationError, msgspec.DecodeError):
            answer = _Answer(ok=False, error_code=response.status_code)
        if answer.ok and answer.result is not None:
            return Sent(provider_id=str(answer.result.message_id), outcome=Outcome.DELIVERED)
        why = f"the Bot API answered {response.status_code} {answer.description}".rstrip()
        if response.status_code >= 500 or response.status_code in RETRYABLE:
            raise ChannelDown(why)
        raise Rejected(why)

    async def close(self) -> None:
        await self._client.aclose()
