"""Parameter annotations shared by the route modules (litestar 2.25 wants them explicit)."""

from typing import Any

from litestar import Request, WebSocket
from litestar.params import FromPath, JSONBody

PathId = FromPath[int]

__all__ = ["AnyRequest", "AnySocket", "JSONBody", "PathId"]

AnyRequest = Request[Any, Any, Any]
AnySocket = WebSocket[Any, Any, Any]
