"""/api/v1: site schedules and on-test windows.

GET, PUT, DELETE  /sites/{site_id}/schedule   opening hours (admin writes, dispatchers read)
POST              /sites/{site_id}/tests      put a site on test for N minutes
POST              /devices/{device_id}/tests  put one device on test
GET               /tests                      windows running now or ended in the last day
GET, DELETE       /tests/{test_id}            one window; DELETE ends it early
GET               /tests/{test_id}/report     what was received in the window, per zone

A technician uses a dispatcher token (there is no technician role).
"""

from litestar import Router, delete, get, post, put

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.http_params import AnyRequest, JSONBody, Limit, Offset, PathId
from server.schedules import on_test, service
from server.schedules.schemas import OnTestIn, OnTestReport, Schedule, ScheduleIn, SiteTest
from server.state import Posbon

ADMIN = allow(Role.ADMIN)
DESK = allow(Role.ADMIN, Role.DISPATCHER)


@get("/sites/{site_id:int}/schedule", **DESK, summary="A site's opening hours")
async def get_schedule(posbon: Posbon, site_id: PathId) -> Schedule:
    return await service.get_schedule(posbon.db, site_id)


@put("/sites/{site_id:int}/schedule", **ADMIN, summary="Set a site's opening hours")
async def put_schedule(
    request: AnyRequest, posbon: Posbon, site_id: PathId, data: JSONBody[ScheduleIn]
) -> Schedule:
    return await service.put_schedule(
        posbon.db, posbon.settings, site_id, data, principal_of(request)
    )


@delete("/sites/{site_id:int}/schedule", **ADMIN, summary="Remove a site's opening hours")
async def delete_schedule(request: AnyRequest, posbon: Posbon, site_id: PathId) -> None:
    await service.delete_schedule(posbon.db, site_id, actor=principal_of(request))


@post("/sites/{site_id:int}/tests", **DESK, summary="Put a site on test")
async def start_site_test(
    request: AnyRequest, posbon: Posbon, site_id: PathId, data: JSONBody[OnTestIn]
) -> SiteTest:
    return await on_test.start_for_site(posbon.db, site_id, data, principal_of(request))


@post("/devices/{device_id:int}/tests", **DESK, summary="Put one device on test")
async def start_device_test(
    request: AnyRequest, posbon: Posbon, device_id: PathId, data: JSONBody[OnTestIn]
) -> SiteTest:
    return await on_test.start_for_device(posbon.db, device_id, data, principal_of(request))


@get("/tests", **DESK, summary="Test windows running now or ended in the last day")
async def list_tests(
    request: AnyRequest, posbon: Posbon, limit: Limit = 100, offset: Offset = 0
) -> list[SiteTest]:
    return await on_test.recent_tests(posbon.db, limit, offset, principal_of(request).scope)


@get("/tests/{test_id:int}", **DESK, summary="One test window")
async def get_test(posbon: Posbon, test_id: PathId) -> SiteTest:
    return await on_test.get_test(posbon.db, test_id)


@delete("/tests/{test_id:int}", **DESK, status_code=200, summary="End a test window now")
async def end_test(request: AnyRequest, posbon: Posbon, test_id: PathId) -> SiteTest:
    return await on_test.end_test(posbon.db, test_id, principal_of(request))


@get("/tests/{test_id:int}/report", **DESK, summary="What a test window received, per zone")
async def test_report(posbon: Posbon, test_id: PathId) -> OnTestReport:
    return await on_test.report(posbon.db, test_id)


router = Router(
    path="/api/v1",
    tags=["schedules"],
    route_handlers=[
        get_schedule,
        put_schedule,
        delete_schedule,
        start_site_test,
        start_device_test,
        list_tests,
        get_test,
        end_test,
        test_report,
    ],
)
