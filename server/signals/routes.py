import datetime as dt
from typing import Annotated

from litestar import Router, get
from litestar.params import FromQuery, QueryParameter

from server.auth.guards import allow
from server.auth.schemas import Role
from server.http_params import Limit, Offset
from server.signals import repository
from server.signals.schemas import SignalFilter, StoredSignalOut
from server.state import Posbon
from server.text import MAX_ID

Account = Annotated[str | None, QueryParameter(min_length=1, max_length=64)]
Kind = Annotated[str | None, QueryParameter(min_length=1, max_length=40)]
DeviceId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


@get(
    "/",
    **allow(Role.ADMIN, Role.DISPATCHER),
    summary="List stored device signals, newest first",
    description="Every frame a device sent that was ACKed, with its normalized fields: alarms, "
    "restores, tests, unknown codes and signals from unregistered accounts alike.",
)
async def list_signals(
    posbon: Posbon,
    account: Account = None,
    kind: Kind = None,
    device_id: DeviceId = None,
    since: FromQuery[dt.datetime | None] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[StoredSignalOut]:
    where = SignalFilter(
        account=account, kind=kind, device_id=device_id, since=since, limit=limit, offset=offset
    )
    return await repository.search(posbon.db, where)


router = Router(path="/api/v1/signals", route_handlers=[list_signals], tags=["signals"])
