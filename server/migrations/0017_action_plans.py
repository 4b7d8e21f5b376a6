"""Action plans (issue 22): plans, their immutable versions, the version each incident follows
and the state of its steps, as DDL for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from server.ddl import Dialect, ddl_migration

ID = "2026-12-13T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "action plans"


def statements(dialect: Dialect) -> Sequence[str]:
    # Incidents name plans by id, so SQLite must never hand a deleted plan's id out again.
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if dialect.sqlite else "SERIAL PRIMARY KEY"
    return (
        f"CREATE TABLE IF NOT EXISTS plans (id {serial}, name VARCHAR(200) NOT NULL UNIQUE, "
        "alert_kind VARCHAR(40) NOT NULL, site_kind VARCHAR(40), site_id INTEGER, "
        "active BOOLEAN NOT NULL DEFAULT TRUE, version INTEGER NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
        # One active plan per scope: matching must never have two equally specific answers.
        "CREATE UNIQUE INDEX IF NOT EXISTS plans_active_scope ON plans "
        "(alert_kind, COALESCE(site_kind, ''), COALESCE(site_id, 0)) WHERE active",
        f"CREATE TABLE IF NOT EXISTS plan_versions (id {serial}, plan_id INTEGER NOT NULL, "
        "version INTEGER NOT NULL, name VARCHAR(200) NOT NULL, alert_kind VARCHAR(40) NOT NULL, "
        "site_kind VARCHAR(40), site_id INTEGER, steps TEXT NOT NULL, "
        "created_by VARCHAR(120) NOT NULL, created_at TIMESTAMPTZ NOT NULL, "
        "UNIQUE (plan_id, version))",
        "CREATE TABLE IF NOT EXISTS incident_plans (incident_id INTEGER PRIMARY KEY, "
        "plan_id INTEGER NOT NULL, version INTEGER NOT NULL, attached_at TIMESTAMPTZ NOT NULL, "
        "override_reason TEXT, override_by VARCHAR(120), override_at TIMESTAMPTZ)",
        f"CREATE TABLE IF NOT EXISTS incident_plan_steps (id {serial}, "
        "incident_id INTEGER NOT NULL, step_index INTEGER NOT NULL, state VARCHAR(16) NOT NULL, "
        "actor VARCHAR(120) NOT NULL, reason TEXT NOT NULL DEFAULT '', at TIMESTAMPTZ NOT NULL, "
        "UNIQUE (incident_id, step_index))",
    )


forwards = ddl_migration(ID, DESCRIPTION, statements)
