"""Nothing on the device ports ends silently: `posbon serve` hangs up on a stream of junk on its
GT06 and DC-09 ports and on a client whose every request its device HTTP port refuses, and
`/metrics` counts each under its listener and reason (``posbon_device_hangups_total``)."""

from __future__ import annotations

import pytest

from device_gateway.transports.http import MAX_REFUSED_IN_A_ROW
from tests.acceptance.support import ServedPosbon
from tests.integration.test_device_gateway.test_garbage_hang_up import everything_until_closed

pytestmark = pytest.mark.acceptance
JUNK = b"x" * 65_536
"""Four times either framer's garbage budget; 0x78 is also half a GT06 start marker."""
NO_ID = b"GET /?lat=39.65&lon=66.97 HTTP/1.1\r\nHost: posbon\r\n\r\n"
"""An OsmAnd report without a device id: answered 400."""
HANGUPS = "posbon_device_hangups_total"


async def metrics(served: ServedPosbon) -> str:
    async with served.api(served.token("admin")) as api:
        answer = await api.get("/metrics")
    assert answer.status_code == 200, answer.text
    return answer.text


def counted(metrics_text: str, listener: str, reason: str) -> float:
    sample = f'{HANGUPS}{{listener="{listener}",reason="{reason}"}} '
    for line in metrics_text.splitlines():
        if line.startswith(sample):
            return float(line.removeprefix(sample))
    return 0.0


async def test_junk_and_refused_requests_are_hung_up_on_and_counted_in_metrics(
    served: ServedPosbon,
) -> None:
    before = await metrics(served)
    await everything_until_closed(served.ports.gt06, JUNK)
    await everything_until_closed(served.ports.dc09, JUNK)
    answered = await everything_until_closed(served.ports.osmand, NO_ID * MAX_REFUSED_IN_A_ROW)
    after = await metrics(served)

    assert answered.count(b"HTTP/1.1 400 ") == MAX_REFUSED_IN_A_ROW, served.explain(
        answered.decode(errors="replace")
    )
    for listener, reason in (
        ("gt06", "garbage"),
        ("dc09", "garbage"),
        ("device_http", "refused_requests"),
    ):
        assert counted(after, listener, reason) == counted(before, listener, reason) + 1, (
            served.explain(f"{listener} hang-ups for {reason} not counted once")
        )
