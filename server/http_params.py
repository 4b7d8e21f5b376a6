"""Parameter annotations shared by the route modules (litestar 2.25 wants them explicit)."""

from typing import Annotated, Any

from litestar import Request, WebSocket
from litestar.params import JSONBody, PathParameter, QueryParameter

from server.text import MAX_ID, MAX_OFFSET

PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="The item's id.")]
Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="Most items to return.")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Items to skip.")]

__all__ = ["AnyRequest", "AnySocket", "JSONBody", "Limit", "Offset", "PathId"]

AnyRequest = Request[Any, Any, Any]
AnySocket = WebSocket[Any, Any, Any]
