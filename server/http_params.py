"""Parameter annotations shared by the route modules (litestar 2.25 wants them explicit)."""

from typing import Annotated, Any

from litestar import Request, WebSocket
from litestar.params import JSONBody, PathParameter

from server.text import MAX_ID

PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="The item's id.")]

__all__ = ["AnyRequest", "AnySocket", "JSONBody", "PathId"]

AnyRequest = Request[Any, Any, Any]
AnySocket = WebSocket[Any, Any, Any]
