"""The crew app reuses files of the dispatcher page's static folder (the one socket client, the
vendored map): its service worker caches them and its version follows their bytes."""

from __future__ import annotations

from server.crew_app import routes, shell
from server.web.routes import STATIC_DIR as WEB_STATIC_DIR


def test_every_shared_asset_is_a_file_the_dispatcher_route_serves() -> None:
    files = routes.shared_files()
    assert len(files) == len(shell.SHARED_ASSETS)
    assert all(path.is_file() for path in files), files
    assert WEB_STATIC_DIR / "shared" / "socket.js" in files


def test_the_worker_caches_the_shared_socket_client_and_its_overlay() -> None:
    urls = shell.shell_urls(routes.STATIC_DIR, shell.shell_files(routes.STATIC_DIR))
    for url in (
        "/static/shared/socket.js",
        "/static/shared/disconnected.js",
        "/static/shared/disconnected.css",
    ):
        assert url in urls
    assert "/static/shared/socket.js" in routes.worker_script().decode()
