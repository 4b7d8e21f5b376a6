from piccolo.columns import Boolean, Bytea, Float, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Watchlist(Table, tablename="watchlists"):
    id: Serial
    name = Varchar(length=200, unique=True)
    description = Varchar(length=2000, default="")
    threshold = Float()
    created_at = Timestamptz()
    revision = Integer(default=0)
    """Bumped with every change of the list or anything under it (migration 0029)."""


class WatchlistPerson(Table, tablename="watchlist_persons"):
    id: Serial
    watchlist_id = Integer(index=True)
    name = Varchar(length=200)
    note = Varchar(length=2000, default="")
    created_at = Timestamptz()


class WatchlistPhoto(Table, tablename="watchlist_photos"):
    """One enrolled face embedding (the photo itself is not kept)."""

    id: Serial
    person_id = Integer()
    watchlist_id = Integer(index=True)
    negative = Boolean(default=False)
    embedding = Bytea()
    source_sha256 = Varchar(length=64)
    face_width_px = Float()
    created_at = Timestamptz()
