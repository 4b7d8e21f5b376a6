"""`GET /api/v1/incidents/{id}/evidence-package`: the incident's court package as a ZIP.

The package is built whole into a temporary file first (server/evidence/package.py), so a
failure (a restricted item, an altered file) is an error response and never a cut-off ZIP;
then the file is streamed out and removed, also when the client goes away midway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from litestar import Router, get
from litestar.response import Stream

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.evidence import package
from server.evidence.signing import signing_key
from server.http_params import AnyRequest, PathId
from server.state import Posbon
from server.uploads.service import UploadsDep

SEND_BLOCK_BYTES: Final = 1024 * 1024


@get(
    "/{incident_id:int}/evidence-package",
    **allow(Role.ADMIN, Role.DISPATCHER),
    summary="The incident's signed court package (ZIP)",
)
async def evidence_package(
    request: AnyRequest, posbon: Posbon, uploads: UploadsDep, incident_id: PathId
) -> Stream:
    settings = posbon.settings
    who = principal_of(request)
    planned = await package.plan(posbon.db, uploads.store, incident_id, who)
    key = await asyncio.to_thread(signing_key, settings)
    work_dir = settings.data_path / package.WORK_DIR_NAME
    built = await package.build(posbon.db, uploads.store, key, planned, work_dir)
    return Stream(
        _sent_then_removed(built.path),
        media_type="application/zip",
        headers={
            "Content-Length": str(built.size_bytes),
            "Content-Disposition": f'attachment; filename="{built.file_name}"',
            "X-Manifest-SHA256": built.manifest_sha256,
        },
    )


async def _sent_then_removed(path: Path) -> AsyncIterator[bytes]:
    try:
        with path.open("rb") as handle:
            while block := await asyncio.to_thread(handle.read, SEND_BLOCK_BYTES):
                yield block
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


router = Router(path="/api/v1/incidents", tags=["evidence"], route_handlers=[evidence_package])
