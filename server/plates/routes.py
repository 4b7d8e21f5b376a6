from litestar import Response, Router, delete, get, patch, post

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.import_routes import SkipInvalid
from server.imports import BadEncodingError, ImportReport, decode_csv
from server.plates import repository, service
from server.plates.schemas import PlateEntry, PlateEntryIn, PlateList, PlateListIn, PlateListPatch
from server.plates.service import PlateRuntimeDep

READERS = allow(Role.ADMIN, Role.DISPATCHER)
WRITERS = allow(Role.ADMIN)


@get("/lists", **READERS, summary="List plate lists (own / wanted)")
async def list_lists(
    recognition: PlateRuntimeDep, limit: Limit = 100, offset: Offset = 0
) -> list[PlateList]:
    return await repository.list_lists(recognition.db, limit, offset)


@post(
    "/lists",
    **WRITERS,
    summary="Create a plate list",
    description="'wanted': a plate on it raises plate_wanted wherever it is seen (or only at "
    "the list's site). 'own': the plates that belong at the list's site; any other plate read "
    "there raises plate_foreign.",
)
async def create_list(
    request: AnyRequest, recognition: PlateRuntimeDep, data: JSONBody[PlateListIn]
) -> PlateList:
    return await service.create_list(recognition, data, actor=principal_of(request))


@get("/lists/{list_id:int}", **READERS, summary="Get one plate list")
async def get_list(recognition: PlateRuntimeDep, list_id: PathId) -> PlateList:
    return await service.get_list(recognition, list_id)


@patch("/lists/{list_id:int}", **WRITERS, summary="Rename a plate list or move it to a site")
async def update_list(
    request: AnyRequest,
    recognition: PlateRuntimeDep,
    list_id: PathId,
    data: JSONBody[PlateListPatch],
) -> PlateList:
    return await service.update_list(recognition, list_id, data, actor=principal_of(request))


@delete("/lists/{list_id:int}", **WRITERS, summary="Delete a plate list and its entries")
async def delete_list(request: AnyRequest, recognition: PlateRuntimeDep, list_id: PathId) -> None:
    await service.delete_list(recognition, list_id, actor=principal_of(request))


@get("/lists/{list_id:int}/entries", **READERS, summary="List a plate list's entries")
async def list_entries(
    recognition: PlateRuntimeDep, list_id: PathId, limit: Limit = 100, offset: Offset = 0
) -> list[PlateEntry]:
    await service.get_list(recognition, list_id)
    return await repository.list_entries(recognition.db, list_id, limit, offset)


@post(
    "/lists/{list_id:int}/entries",
    **WRITERS,
    summary="Add a plate",
    description="The same plate again (spaces, O/0 and I/1 aside) updates its note: 200.",
)
async def add_entry(
    request: AnyRequest, recognition: PlateRuntimeDep, list_id: PathId, data: JSONBody[PlateEntryIn]
) -> Response[PlateEntry]:
    entry, created = await service.add_entry(
        recognition, list_id, data, actor=principal_of(request)
    )
    return Response(entry, status_code=201 if created else 200)


@delete("/lists/{list_id:int}/entries/{entry_id:int}", **WRITERS, summary="Remove a plate")
async def delete_entry(
    request: AnyRequest, recognition: PlateRuntimeDep, list_id: PathId, entry_id: PathId
) -> None:
    await service.delete_entry(recognition, list_id, entry_id, actor=principal_of(request))


@post(
    "/lists/{list_id:int}/import",
    **WRITERS,
    summary="Import plates from CSV",
    description="The body is the CSV file (text/csv) with a 'plate' column and optionally "
    "'note'. Any bad row imports nothing unless skip_invalid is set.",
)
async def import_entries(
    request: AnyRequest,
    recognition: PlateRuntimeDep,
    list_id: PathId,
    skip_invalid: SkipInvalid = False,
) -> Response[ImportReport]:
    try:
        text = decode_csv(await request.body())
    except BadEncodingError as err:
        return Response(err.report(), status_code=422)
    report = await service.import_entries(
        recognition, list_id, text, skip_invalid=skip_invalid, actor=principal_of(request)
    )
    return Response(report, status_code=200 if report.applied else 422)


router = Router(
    path="/api/v1/plates",
    route_handlers=[
        list_lists,
        create_list,
        get_list,
        update_list,
        delete_list,
        list_entries,
        add_entry,
        delete_entry,
        import_entries,
    ],
    tags=["plates"],
)
