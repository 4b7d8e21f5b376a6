from litestar import Router, delete, get, patch, post

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import camera_reach
from server.cameras import repository, service
from server.cameras.schemas import Camera, CameraHealth, CameraIn, CameraPatch, FrameResult
from server.cameras.service import CameraRuntimeDep
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.image_bodies import image_body

READERS = allow(Role.ADMIN, Role.DISPATCHER)
WRITERS = allow(Role.ADMIN)


@get("/", **READERS, summary="List cameras")
async def list_cameras(
    request: AnyRequest, recognition: CameraRuntimeDep, limit: Limit = 100, offset: Offset = 0
) -> list[Camera]:
    within = camera_reach(principal_of(request).scope)
    found = await repository.search(recognition.db, limit, offset, within)
    return [camera.public() for camera in found]


@get("/{camera_id:int}", **READERS, summary="Get one camera")
async def get_camera(recognition: CameraRuntimeDep, camera_id: PathId) -> Camera:
    return (await service.get_config(recognition.db, camera_id)).public()


@post(
    "/",
    **WRITERS,
    summary="Register a camera",
    description="With a url (rtsp://, http:// MJPEG, or a video file) the server pulls frames; "
    "without one the camera pushes JPEG frames to /api/v1/cameras/{id}/frames.",
)
async def create_camera(recognition: CameraRuntimeDep, data: JSONBody[CameraIn]) -> Camera:
    return await service.create_camera(recognition, data)


@patch("/{camera_id:int}", **WRITERS, summary="Change a camera")
async def update_camera(
    recognition: CameraRuntimeDep, camera_id: PathId, data: JSONBody[CameraPatch]
) -> Camera:
    return await service.update_camera(recognition, camera_id, data)


@delete("/{camera_id:int}", **WRITERS, summary="Remove a camera")
async def delete_camera(recognition: CameraRuntimeDep, camera_id: PathId) -> None:
    await service.delete_camera(recognition, camera_id)


@post(
    "/{camera_id:int}/frames",
    **allow(Role.CAMERA),
    status_code=200,
    summary="Push a frame (JPEG body) for recognition",
    description="Answers once the frame is analysed, with the alerts it raised; 'dropped' when "
    "a newer frame from the same camera overtook it or recognition is saturated.",
)
async def push_frame(
    request: AnyRequest, recognition: CameraRuntimeDep, camera_id: PathId
) -> FrameResult:
    camera = await service.get_config(recognition.db, camera_id)
    return await recognition.push_frame(camera, await image_body(request))


@get("/status", **READERS, summary="Frames per second, lag and state of every camera")
async def camera_status(request: AnyRequest, recognition: CameraRuntimeDep) -> list[CameraHealth]:
    return await service.health(recognition, camera_reach(principal_of(request).scope))


@get("/{camera_id:int}/status", **READERS, summary="Frames per second, lag and state")
async def one_camera_status(recognition: CameraRuntimeDep, camera_id: PathId) -> CameraHealth:
    return await service.one_health(recognition, camera_id)


router = Router(
    path="/api/v1/cameras",
    route_handlers=[
        list_cameras,
        get_camera,
        create_camera,
        update_camera,
        delete_camera,
        push_frame,
        camera_status,
        one_camera_status,
    ],
    tags=["cameras"],
)
