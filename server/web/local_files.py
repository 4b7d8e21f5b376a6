"""The file system behind the static-file routes of the dispatcher page and the crew app.

Litestar's own local file system hands the requested path to the OS, which refuses a path with a
NUL byte (`/crew/static/js%00.js`) by raising ValueError, and litestar answers that with a 500.
No file has such a name, so here it is simply not found: a 404, as for any other missing file.
"""

from __future__ import annotations

import os
from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo


class LocalFiles(BaseLocalFileSystem):
    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        if "\x00" in os.fspath(path):
            raise FileNotFoundError(path)
        return await super().info(path, **kwargs)
