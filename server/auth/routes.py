"""Tokens for admins: list them (never their secrets) and revoke one. Issuing stays with
`posbon token create`, which prints the secret once on the operator's own terminal."""

from typing import Annotated

from litestar import Router, get, post
from litestar.params import QueryParameter

from server.auth import service
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role, TokenKind, TokenOut
from server.http_params import AnyRequest, Limit, Offset, PathId
from server.state import Posbon

ADMINS = allow(Role.ADMIN)


@get(
    "/",
    **ADMINS,
    summary="List tokens",
    description="With when each was last used; `kind` (token or session) and `revoked` "
    "(true or false) narrow the list.",
)
async def list_tokens(
    posbon: Posbon,
    limit: Limit = 100,
    offset: Offset = 0,
    kind: Annotated[
        TokenKind | None, QueryParameter(description="Only bearer tokens, or only sessions.")
    ] = None,
    revoked: Annotated[
        bool | None, QueryParameter(description="Only revoked (true) or live (false) ones.")
    ] = None,
) -> list[TokenOut]:
    return await service.list_tokens(posbon.db, limit, offset, kind=kind, revoked=revoked)


@post(
    "/{token_id:int}/revoke",
    **ADMINS,
    status_code=204,
    summary="Revoke a token",
    description="It stops working at once on every node, and its open sockets are closed.",
)
async def revoke(request: AnyRequest, posbon: Posbon, token_id: PathId) -> None:
    await service.revoke_token(posbon.db, token_id, actor=principal_of(request))


router = Router(path="/api/v1/tokens", route_handlers=[list_tokens, revoke], tags=["tokens"])
