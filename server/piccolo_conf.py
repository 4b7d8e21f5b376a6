"""Piccolo's configuration module. The engine is chosen at run time by `server.db.activate`;
the default here lets the piccolo CLI work on `./var` out of the box."""

from piccolo.conf.apps import AppRegistry

from server.db_default import default_engine

DB = default_engine()
APP_REGISTRY = AppRegistry(apps=["server.piccolo_app"])
