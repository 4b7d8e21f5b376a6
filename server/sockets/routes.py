"""/ws/dispatch and /ws/crew. A socket authenticates in its hello message, not by the HTTP
middleware, and its unknown tokens count against its address with the HTTP ones: the app
provides that one table as the `token_failures` dependency (server/app.py)."""

from litestar import Router, websocket
from litestar.di import NamedDependency

from server.auth.limits import FailedLookups
from server.http_params import AnySocket
from server.sockets.connection import serve
from server.state import Posbon

TokenFailures = NamedDependency[FailedLookups]


@websocket("/dispatch")
async def dispatch_socket(socket: AnySocket, posbon: Posbon, token_failures: TokenFailures) -> None:
    """Every event, for dispatchers (first message: hello with a dispatcher or admin token)."""
    await serve(socket, posbon, token_failures, "dispatch")


@websocket("/crew")
async def crew_socket(socket: AnySocket, posbon: Posbon, token_failures: TokenFailures) -> None:
    """One crew's events, for its tablet (first message: hello with that crew's token)."""
    await serve(socket, posbon, token_failures, "crew")


router = Router(path="/ws", route_handlers=[dispatch_socket, crew_socket], tags=["sockets"])
