"""Demo data for the monitoring centre's work after an alarm: action plans, key-holders and
opening hours, so the demo's incidents at banks, schools and kindergartens show a checklist and
who to call with no setup.

Plans and key-holders go in through their CSV imports (the files a centre's manager writes, and
the same idempotent path: a file imported again changes nothing). Opening hours have no import,
so they are stored as an admin's PUT would store them, and only when they differ from what the
site has: a restart keeps the schedule's age, so a close deadline missed while the demo was down
is still raised once (server/schedules/late.py), as it would be on a real server.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Final

from server.contacts.imports import import_contacts
from server.db import Database
from server.imports import ImportReport
from server.plans.imports import import_plans
from server.schedules import repository as schedules
from server.schedules.schemas import Schedule, WeeklyHours
from server.sites.repository import find_by_name

ACTOR: Final = "demo:seed"
LATE_GRACE_S: Final = 900.0

PLAN_COLUMNS: Final = ("plan", "alert_kind", "site_kind", "site", "step", "kind", "required")
# plan, alert kind, site kind, step, step kind, required (no plan is for one named site)
PLANS: Final = (
    ("Bank hold-up", "panic", "bank", "Call the branch landline and ask for the password",
     "call_site", True),
    ("Bank hold-up", "panic", "bank", "Dispatch the nearest crew", "dispatch", True),
    ("Bank hold-up", "panic", "bank", "Tell the police duty desk (102)", "notify_police", True),
    ("Bank hold-up", "panic", "bank", "Call the key-holders in order", "call_keyholders", False),
    ("Bank hold-up", "panic", "bank", "Check the branch cameras", "verify_video", False),
    ("Bank intrusion", "intrusion", "bank", "Call the branch landline", "call_site", True),
    ("Bank intrusion", "intrusion", "bank",
     "Call the key-holders in order and ask for the password", "call_keyholders", True),
    ("Bank intrusion", "intrusion", "bank",
     "Dispatch a crew unless a key-holder gave the password", "dispatch", False),
    ("Bank intrusion", "intrusion", "bank", "Check the branch cameras", "verify_video", False),
    ("School panic", "panic", "school", "Call the school office", "call_site", True),
    ("School panic", "panic", "school", "Dispatch the nearest crew", "dispatch", True),
    ("School panic", "panic", "school", "Tell the district police duty desk (102)",
     "notify_police", True),
    ("School panic", "panic", "school", "Call the director", "call_keyholders", False),
    ("Kindergarten panic", "panic", "kindergarten", "Call the kindergarten", "call_site", True),
    ("Kindergarten panic", "panic", "kindergarten", "Dispatch the nearest crew", "dispatch",
     True),
    ("Kindergarten panic", "panic", "kindergarten", "Call the head of the kindergarten",
     "call_keyholders", False),
    ("Fire", "fire", "", "Call the fire service (101)", "other", True),
    ("Fire", "fire", "", "Call the site", "call_site", True),
    ("Fire", "fire", "", "Dispatch a crew to meet the fire service", "dispatch", False),
    ("Fire", "fire", "", "Call the key-holders in order", "call_keyholders", False),
)  # fmt: skip

CONTACT_COLUMNS: Final = (
    "site", "name", "role", "phones", "languages", "hours", "order", "has_password", "note"
)  # fmt: skip
NATIONAL_BANK: Final = "National bank, Samarkand branch"
AGROBANK: Final = "Agrobank, Siab branch"
# Made-up people and numbers in the demo's style; `hours` as server/contacts/hours_text.py
# reads them (empty: may be called any time); `order` is the place in the call order.
CONTACTS: Final = (
    (NATIONAL_BANK, "Dilshod Rahimov", "branch manager", "+998901234501;+998662334455", "uz;ru",
     "mon-fri 08:00-19:00; sat 09:00-14:00", 1, True, ""),
    (NATIONAL_BANK, "Nodira Xasanova", "security officer", "+998901234502", "ru;uz", "", 2, True,
     "Calls the guard company herself"),
    (NATIONAL_BANK, "Sherzod Tursunov", "night guard", "+998901234503", "uz",
     "daily 18:00-09:00", 3, False, ""),
    (AGROBANK, "Aziz Karimov", "branch manager", "+998901234511;+998662301122", "uz;ru",
     "mon-fri 08:00-18:30; sat 09:00-13:00", 1, True, ""),
    (AGROBANK, "Malika Yusupova", "deputy manager", "+998901234512", "uz;en",
     "mon-sat 08:00-20:00", 2, True, ""),
    (AGROBANK, "Rustam Olimov", "keyholder", "+998901234513", "uz;ru", "", 3, False,
     "Lives two streets away"),
    ("School No. 1", "Gulnora Saidova", "director", "+998901234521;+998662210101", "uz;ru",
     "mon-sat 07:30-19:00", 1, False, ""),
    ("School No. 1", "Bahodir Qosimov", "caretaker", "+998901234522", "uz", "daily 17:00-08:00",
     2, False, "Has the keys"),
    ("School No. 21", "Feruza Nematova", "director", "+998901234531", "uz",
     "mon-sat 07:30-19:00", 1, False, ""),
    ("School No. 21", "Jasur Ergashev", "deputy director", "+998901234532", "uz;ru", "", 2,
     False, ""),
    ("School No. 37", "Lola Abdullayeva", "director", "+998901234541", "ru;uz",
     "mon-sat 07:30-19:00", 1, False, ""),
    ("Kindergarten No. 9", "Zarina Mirzayeva", "head", "+998901234551", "uz;ru",
     "mon-fri 07:00-19:30", 1, False, ""),
)  # fmt: skip


def _csv(columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(
        ["true" if c is True else "false" if c is False else c for c in row] for row in rows
    )
    return out.getvalue()


def plans_csv() -> str:
    """The plans as a manager's sheet for `posbon plans import`."""
    rows = (
        (plan, kind, site_kind, "", step, step_kind, required)
        for plan, kind, site_kind, step, step_kind, required in PLANS
    )
    return _csv(PLAN_COLUMNS, rows)


def contacts_csv() -> str:
    """The key-holders as a sheet for `posbon contacts import`."""
    return _csv(CONTACT_COLUMNS, CONTACTS)


BANK_HOURS: Final = WeeklyHours(
    mon=["09:00-18:00"],
    tue=["09:00-18:00"],
    wed=["09:00-18:00"],
    thu=["09:00-18:00"],
    fri=["09:00-18:00"],
    sat=["09:00-13:00"],
)
SCHOOL_HOURS: Final = WeeklyHours(
    mon=["07:30-18:30"],
    tue=["07:30-18:30"],
    wed=["07:30-18:30"],
    thu=["07:30-18:30"],
    fri=["07:30-18:30"],
    sat=["07:30-14:00"],
)
KINDERGARTEN_HOURS: Final = WeeklyHours(
    mon=["07:00-19:00"],
    tue=["07:00-19:00"],
    wed=["07:00-19:00"],
    thu=["07:00-19:00"],
    fri=["07:00-19:00"],
)
HOURS: Final = (
    (NATIONAL_BANK, BANK_HOURS),
    (AGROBANK, BANK_HOURS),
    ("School No. 1", SCHOOL_HOURS),
    ("School No. 21", SCHOOL_HOURS),
    ("School No. 37", SCHOOL_HOURS),
    ("School No. 51", SCHOOL_HOURS),
    ("Kindergarten No. 9", KINDERGARTEN_HOURS),
    ("Kindergarten No. 26", KINDERGARTEN_HOURS),
)


async def seed_schedules(db: Database, time_zone: str) -> None:
    for name, weekly in HOURS:
        site = await find_by_name(db, name)
        if site is None:
            raise RuntimeError(f"demo seed: no site {name!r} for its opening hours")
        stored = await schedules.find(db, site.id)
        wanted: tuple[object, ...] = (weekly, [], [], time_zone, LATE_GRACE_S)
        if stored is not None and wanted == (
            stored.weekly,
            stored.holidays,
            stored.exceptions,
            stored.time_zone,
            stored.late_grace_s,
        ):
            continue
        schedule = Schedule(
            site_id=site.id,
            weekly=weekly,
            holidays=[],
            exceptions=[],
            time_zone=time_zone,
            late_grace_s=LATE_GRACE_S,
            updated_by=ACTOR,
            updated_at=dt.datetime.now(dt.UTC),
        )
        async with db.write():
            await schedules.put(db, schedule)


async def seed_centre(db: Database, time_zone: str) -> list[ImportReport]:
    """Plans, key-holders and hours; the sites must be imported first."""
    reports = [await import_plans(db, plans_csv()), await import_contacts(db, contacts_csv())]
    await seed_schedules(db, time_zone)
    return reports
