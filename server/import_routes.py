"""`POST /api/v1/{sites,devices,crews}/import`: the CLI's CSV import over HTTP."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from litestar import Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from server.auth.guards import allow
from server.auth.schemas import Role
from server.db import Database
from server.http_params import AnyRequest
from server.imports import ImportReport
from server.state import Posbon

Importer = Callable[..., Awaitable[ImportReport]]
SkipInvalid = Annotated[
    bool, QueryParameter(description="Import the valid rows even if some are bad.")
]


def import_route(importer: Importer, what: str) -> HTTPRouteHandler:
    async def handler(
        request: AnyRequest,
        posbon: Posbon,
        skip_invalid: SkipInvalid = False,
    ) -> Response[ImportReport]:
        text = (await request.body()).decode("utf-8-sig", errors="replace")
        db: Database = posbon.db
        report = await importer(db, text, skip_invalid=skip_invalid)
        return Response(report, status_code=200 if report.applied else 422)

    handler.__name__ = f"import_{what}"
    return post(
        "/import",
        **allow(Role.admin),
        summary=f"Import {what} from CSV",
        description="The body is the CSV file (text/csv).",
    )(handler)
