from piccolo.columns import BigInt, Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class User(Table, tablename="users"):
    id: Serial
    username = Varchar(length=120, unique=True)
    display_name = Varchar(length=200, default="")
    role = Varchar(length=20)
    source = Varchar(length=10, default="local")
    password_hash = Varchar(length=200, null=True, default=None)
    totp_secret = Varchar(length=64, null=True, default=None)
    totp_required = Boolean(default=False)
    totp_last_step = BigInt(null=True, default=None)
    scope = Text(default="{}")
    failed_attempts = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    disabled = Boolean(default=False)
    created_at = Timestamptz()
