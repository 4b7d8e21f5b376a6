"""Evidence management over HTTP: one router composed of each part's routes."""

from litestar import Router

from server.evidence.file_routes import router as file_router
from server.evidence.package_routes import router as package_router
from server.evidence.redaction_routes import router as redaction_router
from server.evidence.retention_routes import router as retention_router
from server.evidence.share_routes import api_router as share_router
from server.evidence.share_routes import door_router as share_door_router

router = Router(
    path="/",
    tags=["evidence"],
    route_handlers=[
        file_router,
        package_router,
        redaction_router,
        retention_router,
        share_router,
        share_door_router,
    ],
)
