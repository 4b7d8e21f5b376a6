"""`POST /api/v1/{sites,devices,crews}/import`: the CLI's CSV import over HTTP."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Final

from litestar import Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from server.audit.log import audit_import
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.db import Database
from server.http_params import AnyRequest
from server.imports import BATCH_ROWS, BadEncodingError, ImportReport, decode_csv
from server.state import Posbon

MAX_BATCH_ROWS: Final = 100_000

Importer = Callable[..., Awaitable[ImportReport]]
SkipInvalid = Annotated[
    bool, QueryParameter(description="Import the valid rows even if some are bad.")
]
BatchRows = Annotated[
    int,
    QueryParameter(
        ge=0,
        le=MAX_BATCH_ROWS,
        description="Rows per transaction; 0 writes the whole file in one transaction, which "
        "on SQLite holds up every alarm until it ends.",
    ),
]


def import_route(importer: Importer, what: str) -> HTTPRouteHandler:
    async def handler(
        request: AnyRequest,
        posbon: Posbon,
        skip_invalid: SkipInvalid = False,
        batch_rows: BatchRows = BATCH_ROWS,
    ) -> Response[ImportReport]:
        try:
            text = decode_csv(await request.body())
        except BadEncodingError as err:
            return Response(err.report(), status_code=422)
        db: Database = posbon.db
        report = await importer(db, text, skip_invalid=skip_invalid, batch_rows=batch_rows)
        if report.applied:
            await audit_import(db, what, principal_of(request), report)
        return Response(report, status_code=200 if report.applied else 422)

    handler.__name__ = f"import_{what}"
    return post(
        "/import",
        **allow(Role.ADMIN),
        summary=f"Import {what} from CSV",
        description="The body is the CSV file (text/csv, UTF-8). 422 lists each bad line.",
    )(handler)
