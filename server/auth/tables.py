from piccolo.columns import Boolean, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Token(Table, tablename="tokens"):
    id: Serial
    name = Varchar(length=100)
    role = Varchar(length=20)
    crew_id = Integer(null=True, default=None)
    token_hash = Varchar(length=64, unique=True)
    revoked = Boolean(default=False)
    created_at = Timestamptz()
