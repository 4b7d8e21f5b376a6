"""Action plan tables; migration 0017_action_plans.py creates them with plain DDL.

Writers: plans and plan_versions by server/plans/repository.py; incident_plans and
incident_plan_steps by server/plans/checklist_repository.py.
"""

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Plan(Table, tablename="plans"):
    """A plan's identity, the scope it is matched on and its current version."""

    id: Serial
    name = Varchar(length=200, unique=True)
    alert_kind = Varchar(length=40)
    site_kind = Varchar(length=40, null=True, default=None)
    site_id = Integer(null=True, default=None)
    active = Boolean(default=True)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PlanVersion(Table, tablename="plan_versions"):
    """Every version of every plan, never changed once written (steps as JSON text)."""

    id: Serial
    plan_id = Integer()
    version = Integer()
    name = Varchar(length=200)
    alert_kind = Varchar(length=40)
    site_kind = Varchar(length=40, null=True, default=None)
    site_id = Integer(null=True, default=None)
    steps = Text()
    created_by = Varchar(length=120)
    created_at = Timestamptz()


class IncidentPlan(Table, tablename="incident_plans"):
    """The plan version an incident follows, and the override that let it close with required
    steps open."""

    incident_id = Integer(primary_key=True)
    plan_id = Integer()
    version = Integer()
    attached_at = Timestamptz()
    override_reason = Text(null=True, default=None)
    override_by = Varchar(length=120, null=True, default=None)
    override_at = Timestamptz(null=True, default=None)


class IncidentPlanStep(Table, tablename="incident_plan_steps"):
    """The latest state of one step of one incident's plan (each change is on the timeline)."""

    id: Serial
    incident_id = Integer()
    step_index = Integer()
    state = Varchar(length=16)
    actor = Varchar(length=120)
    reason = Text(default="")
    at = Timestamptz()
