"""Tokens for admins: list them (never their secrets) and revoke one. Issuing stays with
`posbon token create`, which prints the secret once on the operator's own terminal."""

from litestar import Router, get, post

from server.auth import service
from server.auth.guards import allow
from server.auth.schemas import Role, TokenOut
from server.http_params import Limit, Offset, PathId
from server.state import Posbon

ADMINS = allow(Role.ADMIN)


@get("/", **ADMINS, summary="List tokens")
async def list_tokens(posbon: Posbon, limit: Limit = 100, offset: Offset = 0) -> list[TokenOut]:
    return await service.list_tokens(posbon.db, limit, offset)


@post(
    "/{token_id:int}/revoke",
    **ADMINS,
    status_code=204,
    summary="Revoke a token",
    description="It stops working at once on every node, and its open sockets are closed.",
)
async def revoke(posbon: Posbon, token_id: PathId) -> None:
    await service.revoke_token(posbon.db, token_id)


router = Router(path="/api/v1/tokens", route_handlers=[list_tokens, revoke], tags=["tokens"])
