from typing import Annotated

from litestar import Response, Router, delete, get, patch, post
from litestar.params import QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import watchlist_reach
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.image_bodies import image_body
from server.text import MAX_ID
from server.watchlists import repository, service
from server.watchlists.schemas import (
    Person,
    PersonIn,
    PersonPatch,
    Photo,
    Watchlist,
    WatchlistIn,
    WatchlistPatch,
)
from server.watchlists.service import WatchlistRuntimeDep

READERS = allow(Role.ADMIN, Role.DISPATCHER)
WRITERS = allow(Role.ADMIN)
CropId = Annotated[
    int | None,
    QueryParameter(
        ge=1,
        le=MAX_ID,
        description="Use the face of this alert crop instead of an uploaded photo.",
    ),
]


@get("/", **READERS, summary="List watchlists")
async def list_watchlists(
    request: AnyRequest, recognition: WatchlistRuntimeDep, limit: Limit = 100, offset: Offset = 0
) -> list[Watchlist]:
    within = watchlist_reach(principal_of(request).scope, "w.id")
    return await repository.list_watchlists(recognition.db, limit, offset, within)


@post("/", **WRITERS, summary="Create a watchlist")
async def create_watchlist(
    request: AnyRequest, recognition: WatchlistRuntimeDep, data: JSONBody[WatchlistIn]
) -> Watchlist:
    return await service.create_watchlist(recognition, data, actor=principal_of(request))


@get("/{watchlist_id:int}", **READERS, summary="Get one watchlist")
async def get_watchlist(recognition: WatchlistRuntimeDep, watchlist_id: PathId) -> Watchlist:
    return await service.get_watchlist(recognition, watchlist_id)


@patch("/{watchlist_id:int}", **WRITERS, summary="Rename a watchlist or change its threshold")
async def update_watchlist(
    request: AnyRequest,
    recognition: WatchlistRuntimeDep,
    watchlist_id: PathId,
    data: JSONBody[WatchlistPatch],
) -> Watchlist:
    who = principal_of(request)
    return await service.update_watchlist(recognition, watchlist_id, data, actor=who)


@delete("/{watchlist_id:int}", **WRITERS, summary="Delete a watchlist, its persons and faces")
async def delete_watchlist(
    request: AnyRequest, recognition: WatchlistRuntimeDep, watchlist_id: PathId
) -> None:
    await service.delete_watchlist(recognition, watchlist_id, actor=principal_of(request))


@get("/{watchlist_id:int}/persons", **READERS, summary="List a watchlist's persons")
async def list_persons(
    recognition: WatchlistRuntimeDep, watchlist_id: PathId, limit: Limit = 100, offset: Offset = 0
) -> list[Person]:
    await service.get_watchlist(recognition, watchlist_id)
    return await repository.list_persons(recognition.db, watchlist_id, limit, offset)


@post("/{watchlist_id:int}/persons", **WRITERS, summary="Add a person to a watchlist")
async def create_person(
    request: AnyRequest,
    recognition: WatchlistRuntimeDep,
    watchlist_id: PathId,
    data: JSONBody[PersonIn],
) -> Person:
    who = principal_of(request)
    return await service.create_person(recognition, watchlist_id, data, actor=who)


@get("/{watchlist_id:int}/persons/{person_id:int}", **READERS, summary="Get one person")
async def get_person(
    recognition: WatchlistRuntimeDep, watchlist_id: PathId, person_id: PathId
) -> Person:
    return await service.get_person(recognition, watchlist_id, person_id)


@patch("/{watchlist_id:int}/persons/{person_id:int}", **WRITERS, summary="Change a person")
async def update_person(
    request: AnyRequest,
    recognition: WatchlistRuntimeDep,
    watchlist_id: PathId,
    person_id: PathId,
    data: JSONBody[PersonPatch],
) -> Person:
    who = principal_of(request)
    return await service.update_person(recognition, watchlist_id, person_id, data, actor=who)


@delete(
    "/{watchlist_id:int}/persons/{person_id:int}",
    **WRITERS,
    summary="Remove a person and their enrolled faces",
)
async def delete_person(
    request: AnyRequest, recognition: WatchlistRuntimeDep, watchlist_id: PathId, person_id: PathId
) -> None:
    who = principal_of(request)
    await service.delete_person(recognition, watchlist_id, person_id, actor=who)


@post(
    "/{watchlist_id:int}/persons/{person_id:int}/photos",
    **WRITERS,
    summary="Enrol a photo (JPEG body) of a person",
    description="The photo's face is embedded and stored; the photo itself is not kept. A photo "
    "that cannot be enrolled answers 422 with why and what to send instead: no_usable_face (no "
    "face), several_faces, face_too_small (enrol_min_face_px), face_too_blurred "
    "(enrol_min_sharpness). The same photo again answers 200.",
)
async def add_photo(
    request: AnyRequest, recognition: WatchlistRuntimeDep, watchlist_id: PathId, person_id: PathId
) -> Response[Photo]:
    image = await image_body(request)
    photo, created = await service.add_photo(
        recognition, watchlist_id, person_id, image, negative=False, actor=principal_of(request)
    )
    return Response(photo, status_code=201 if created else 200)


@post(
    "/{watchlist_id:int}/persons/{person_id:int}/negatives",
    **WRITERS,
    summary="Add a negative example: a face that is NOT this person",
    description="A JPEG body, or ?crop_id= of a face_match alert that was wrong. A probe at "
    "least as close to a negative example as to the person's own photos never matches them.",
)
async def add_negative(
    request: AnyRequest,
    recognition: WatchlistRuntimeDep,
    watchlist_id: PathId,
    person_id: PathId,
    crop_id: CropId = None,
) -> Response[Photo]:
    if crop_id is not None:
        photo, created = await service.add_negative_from_crop(
            recognition, watchlist_id, person_id, crop_id, actor=principal_of(request)
        )
    else:
        image = await image_body(request)
        photo, created = await service.add_photo(
            recognition, watchlist_id, person_id, image, negative=True, actor=principal_of(request)
        )
    return Response(photo, status_code=201 if created else 200)


router = Router(
    path="/api/v1/watchlists",
    route_handlers=[
        list_watchlists,
        create_watchlist,
        get_watchlist,
        update_watchlist,
        delete_watchlist,
        list_persons,
        create_person,
        get_person,
        update_person,
        delete_person,
        add_photo,
        add_negative,
    ],
    tags=["watchlists"],
)
