"""Activation grouping through the shipped process: two real DC-09 panels of one bank, two
intrusion zones and a panic within the window, make one incident with every zone listed and
the panic's priority. (Crossing the window is shown in
tests/integration/test_server/verification/test_site_grouping.py, with the signals' times set.)"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.acceptance.support import ServedPosbon
from tests.dc09_sender import send_dc09
from tests.eventually import eventually

pytestmark = pytest.mark.acceptance


def _devices(tmp_path: Path, site: str, accounts: list[str]) -> Path:
    sheet = tmp_path / "devices.csv"
    rows = "".join(
        f"{account},dc09,panic_button,{site},Registan square,39.6548,66.9757,,hex,false,0\n"
        for account in accounts
    )
    sheet.write_text(
        "account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s\n"
        + rows,
        encoding="utf-8",
    )
    return sheet


# my-dc09-spt drops its socket unclosed when no answer comes (see test_alarm_doors.py).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_two_zones_and_a_panic_at_one_bank_are_one_p1_incident(
    served: ServedPosbon, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    site = f"Grouped bank {tag}"
    first, second = (f"8{int(tag, 16) % 10000:04d}{n}" for n in (1, 2))
    assert "2 rows imported" in served.cli(
        "devices", "import", str(_devices(tmp_path, site, [first, second]))
    )
    for account, event in (
        (first, {"code": 130, "q": 1, "zone": 1}),
        (first, {"code": 130, "q": 1, "zone": 2}),
        (second, {"code": 120, "q": 1, "zone": 5}),
    ):
        acked = await send_dc09(served.ports.dc09, account, event)
        assert acked, served.explain(f"my-dc09-spt got no ACK for {event}")

    async with served.api(served.token("dispatcher")) as desk:

        async def grouped() -> list[dict[str, object]]:
            alerts = (await desk.get("/api/v1/alerts", params={"limit": 1000})).json()
            ours = [a for a in alerts if a["site"]["name"] == site]
            assert len(ours) == 3, ours
            return ours

        ours = await eventually(grouped)
        (incident_id,) = {a["incident_id"] for a in ours}
        incident = (await desk.get(f"/api/v1/incidents/{incident_id}")).json()
        timeline = (await desk.get(f"/api/v1/incidents/{incident_id}/timeline")).json()
    assert sorted(str(a["details"]["zone"]) for a in ours) == ["001", "002", "005"]  # type: ignore[index]
    assert incident["priority"] == 1
    notes = [e["data"]["text"] for e in timeline if e["kind"] == "note"]
    assert [n.split(":")[0] for n in notes if "also tripped" in n] == [
        "zone 002 also tripped",
        "zone 005 also tripped",
    ]
    assert any(n.startswith("priority raised to P1") for n in notes)
