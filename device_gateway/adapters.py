"""The device HTTP port: OsmAnd position reports and IoT button webhooks.

``POST|GET /…`` is OsmAnd (Traccar Client posts to the root); ``POST /iot/<device>`` is a
webhook with a Zigbee2MQTT or Shelly payload and ``POST /iot`` a The Things Stack uplink. The
answer follows the commit: 200 once stored, 503 if the store failed (the client retries), 400
for what cannot be read or an OsmAnd id nobody registered (Traccar answers that way too), 401
for a webhook without the shared secret.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import unquote, urlsplit

from device_gateway.errors import RemoteProtocolError
from device_gateway.ingest import Source
from device_gateway.intake import Intake
from device_gateway.protocols.iot import parse_webhook
from device_gateway.protocols.osmand import parse_request
from device_gateway.trackers import button_received, osmand_received
from device_gateway.transports.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

WEBHOOK_PREFIX: Final = "/iot"
WEBHOOK_AUTH_HEADER: Final = "x-webhook-secret"
IsKnown = Callable[[str], Awaitable[bool]]


class DeviceHttp:
    def __init__(
        self, osmand: Intake, iot: Intake, is_known: IsKnown, *, webhook_secret: str = ""
    ) -> None:
        self._osmand = osmand
        self._iot = iot
        self._is_known = is_known
        self._secret = webhook_secret

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.target).path
        if path == WEBHOOK_PREFIX or path.startswith(WEBHOOK_PREFIX + "/"):
            return await self._webhook(request, unquote(path.removeprefix(WEBHOOK_PREFIX)[1:]))
        return await self._osmand_report(request)

    async def _osmand_report(self, request: HttpRequest) -> HttpResponse:
        content_type = request.headers.get("content-type", "")
        try:
            reports = parse_request(request.method, request.target, content_type, request.body)
        except RemoteProtocolError as err:
            return HttpResponse(400, str(err).encode())
        for device_id in dict.fromkeys(report.device_id for report in reports):  # once each
            if not await self._is_known(device_id):
                return HttpResponse(400, b"unknown device id")
        source = Source(transport="osmand", peer=request.peer)
        raw = request.target + (
            "\n" + request.body.decode("utf-8", "replace") if request.body else ""
        )
        for report in reports:
            if not await self._osmand.store(
                osmand_received(report, raw, self._osmand.clock()), source
            ):
                return HttpResponse(503, b"not stored, send again")
        return HttpResponse(200)

    async def _webhook(self, request: HttpRequest, device_id: str) -> HttpResponse:
        given = request.headers.get(WEBHOOK_AUTH_HEADER, "")
        if self._secret and not hmac.compare_digest(given.encode(), self._secret.encode()):
            return HttpResponse(401, b"missing or wrong x-webhook-secret")
        try:
            event = parse_webhook(device_id, request.body)
        except RemoteProtocolError as err:
            return HttpResponse(400, str(err).encode())
        if event is None:
            return HttpResponse(200, b"ignored: not a button report")
        raw = request.body.decode("utf-8", "replace")
        received = button_received(event, raw, self._iot.clock())
        if not await self._iot.store(received, Source(transport="webhook", peer=request.peer)):
            return HttpResponse(503, b"not stored, send again")
        return HttpResponse(200)
