from typing import Annotated

from litestar import Response, Router, get, post
from litestar.params import QueryParameter

from recognition.engine import Recognizer
from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, PathId
from server.image_bodies import image_body
from server.recognition import analysis, crops
from server.recognition.runtime import RecognitionDep
from server.recognition.schemas import FacesResponse, PlatesResponse, RecognitionStatus
from server.text import MAX_ID

QUERIERS = allow(Role.ADMIN, Role.DISPATCHER, Role.CAMERA)
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


@post(
    "/plates",
    **QUERIERS,
    status_code=200,
    summary="Read the licence plates in a JPEG",
    description="Every plate found, best first: normalised text, raw reading, confidence, box "
    "[x, y, w, h] and the list it is on ('wanted', 'own' or null). With site_id only the lists "
    "that apply at that site count. Nothing is stored.",
)
async def read_plates(
    request: AnyRequest, recognition: RecognitionDep, site_id: OptionalId = None
) -> PlatesResponse:
    image = await image_body(request)
    max_edits = recognition.settings.plate_match_distance

    def work(recognizer: Recognizer) -> PlatesResponse:
        return analysis.read_plates(recognizer, recognition.plates, image, max_edits, site_id)

    return await recognition.run_request(work)


@post(
    "/faces",
    **QUERIERS,
    status_code=200,
    summary="Find the faces in a JPEG and whom they match",
    description="Every face, with the best match over all watchlists (or the one named by "
    "?watchlist=) at each watchlist's threshold, or null. Faces too small to match reliably "
    "are listed with a null match. Nothing is stored.",
)
async def find_faces(
    request: AnyRequest, recognition: RecognitionDep, watchlist: OptionalId = None
) -> FacesResponse:
    image = await image_body(request)

    def work(recognizer: Recognizer) -> FacesResponse:
        return analysis.find_faces(recognizer, recognition.watchlists, image, watchlist)

    return await recognition.run_request(work)


@get(
    "/crops/{crop_id:int}",
    **allow(Role.ADMIN, Role.DISPATCHER),
    media_type="image/jpeg",
    summary="The crop of a recognition alert (JPEG)",
    description="Each view of a face crop is written to the incident's timeline: who, when.",
)
async def get_crop(
    request: AnyRequest, recognition: RecognitionDep, crop_id: PathId
) -> Response[bytes]:
    image = await crops.view(
        recognition.db, recognition.settings.data_path, crop_id, principal_of(request)
    )
    return Response(image, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@get("/status", **allow(Role.ADMIN, Role.DISPATCHER), summary="Models, queue and indexes")
async def recognition_status(recognition: RecognitionDep) -> RecognitionStatus:
    return recognition.status()


router = Router(
    path="/api/v1/recognition",
    route_handlers=[read_plates, find_faces, get_crop, recognition_status],
    tags=["recognition"],
)
