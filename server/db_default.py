"""The engine piccolo's own CLI uses when run in a checkout (`piccolo migrations …`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine


def default_engine() -> Engine[Any]:
    url = os.environ.get("POSBON_DATABASE_URL", "")
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": url})
    data_dir = Path(os.environ.get("POSBON_DATA_DIR", "./var"))
    return SQLiteEngine(path=str(data_dir / "posbon.sqlite3"))
