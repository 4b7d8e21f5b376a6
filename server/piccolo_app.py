"""Piccolo's app config: the migrations folder and the tables (one list, kept in server.db)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.db import TABLES

APP_CONFIG = AppConfig(
    app_name="server",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(TABLES),
)
