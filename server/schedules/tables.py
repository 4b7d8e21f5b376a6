"""The schedule tables; migration 0019_schedules.py creates them with plain DDL.

A schedule's weekly hours, holidays and exceptions are JSON text: they are read and written
whole with their site, never queried by their parts.
"""

from piccolo.columns import Float, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class SiteSchedule(Table, tablename="site_schedules"):
    """A site's opening hours, in its time zone."""

    id: Serial
    site_id = Integer(unique=True)
    weekly = Text()
    holidays = Text()
    exceptions = Text()
    time_zone = Varchar(length=64)
    late_grace_s = Float()
    updated_by = Varchar(length=120)
    updated_at = Timestamptz()


class ScheduleDeadline(Table, tablename="schedule_deadlines"):
    """A late-to-close deadline that was settled (with the alert it raised, if any)."""

    id: Serial
    site_id = Integer()
    close_at = Timestamptz()
    settled_at = Timestamptz()
    alert_id = Integer(null=True, default=None)


class SiteTest(Table, tablename="site_tests"):
    """A window a site (or one device) is on test: its signals are stored, nobody is sent."""

    id: Serial
    site_id = Integer(null=True, default=None)
    device_id = Integer(null=True, default=None)
    reason = Text(default="")
    started_by = Varchar(length=120)
    started_at = Timestamptz()
    ends_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    ended_by = Varchar(length=120, null=True, default=None)
