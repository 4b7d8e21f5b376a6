"""A Telegram Bot API stand-in for the tests: `POST /bot<token>/sendMessage` over real HTTP on
127.0.0.1, answered in the Bot API's JSON shape.

    200 {"ok": true, "result": {"message_id": 1, "chat": {...}, "date": ..., "text": ...}}
    401 {"ok": false, "error_code": 401, "description": "Unauthorized"}     a wrong token
    400 {"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}
    502 while `down` (what a client sees when the API is unreachable behind its proxy)

Chats are known when listed in `chats` (empty: every chat is known). It runs on a thread, so a
blocking test and an async one can both use it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class SentMessage:
    chat_id: str
    text: str
    message_id: int


@dataclass(eq=False)
class BotApi:
    token: str = "123456:TEST-token"
    chats: set[str] = field(default_factory=set)
    down: bool = False
    sent: list[SentMessage] = field(default_factory=list)
    requests: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self) -> list[SentMessage]:
        with self.lock:
            return list(self.sent)

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if self.down:
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            if path != f"/bot{self.token}/sendMessage":
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            chat_id = str(body.get("chat_id", ""))
            if self.chats and chat_id not in self.chats:
                description = "Bad Request: chat not found"
                return 400, {"ok": False, "error_code": 400, "description": description}
            message = SentMessage(chat_id, str(body.get("text", "")), len(self.sent) + 1)
            self.sent.append(message)
        chat = {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0, "type": "private"}
        result = {
            "message_id": message.message_id,
            "chat": chat,
            "date": int(time.time()),
            "text": message.text,
        }
        return 200, {"ok": True, "result": result}


def _handler(api: BotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = api.answer(self.path, body)
            data = json.dumps(answer).encode()
            self.send_response(HTTPStatus(status))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # quiet: the tests read `sent`

    return Handler


@contextlib.contextmanager
def running_bot_api(api: BotApi | None = None) -> Iterator[BotApi]:
    """The stand-in on a free 127.0.0.1 port until the block ends; `api.url` is its base URL."""
    api = api or BotApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
