from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class PlateList(Table, tablename="plate_lists"):
    id: Serial
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=10)
    site_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    revision = Integer(default=0)
    """Bumped with every change of the list or anything under it (migration 0029)."""


class PlateEntry(Table, tablename="plate_entries"):
    id: Serial
    list_id = Integer()
    plate = Varchar(length=32)
    folded = Varchar(length=32)
    note = Varchar(length=400, default="")
    created_at = Timestamptz()


class PlateNotMatch(Table, tablename="plate_not_matches"):
    """A reading a reviewer said is not that list entry's car (a "wrong" verdict on a possible
    match), both folded; the alert's "correct" verdict removes it. Migration 0028 creates it."""

    id: Serial
    list_id = Integer(index=True)
    listed_plate = Varchar(length=32)
    read_text = Varchar(length=32)
    alert_id = Integer(index=True)
    reviewer = Varchar(length=120)
    created_at = Timestamptz()
