from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Token(Table, tablename="tokens"):
    id: Serial
    name = Varchar(length=100)
    role = Varchar(length=20)
    crew_id = Integer(null=True, default=None)
    token_hash = Varchar(length=64, unique=True)
    revoked = Boolean(default=False)
    created_at = Timestamptz()
    kind = Varchar(length=10, default="token")
    user_id = Integer(null=True, default=None)
    scope = Text(default="{}")
    last_used_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
