"""Evidence management over HTTP: one router composed of each part's routes."""

from litestar import Router

router = Router(path="/", tags=["evidence"], route_handlers=[])
