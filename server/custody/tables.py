from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class CustodyEvent(Table, tablename="custody"):
    """Append-only; each row's hash covers the previous row's hash of the same recording."""

    id: Serial
    recording_id = Varchar(length=36)
    at = Timestamptz()
    actor = Varchar(length=120)
    kind = Varchar(length=30)
    reason = Text()
    data = Text()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
