"""OsmAnd requests to position reports: query string, form body and both JSON shapes.

Traccar Client sends one of four shapes (reference §4.2): a GET query string, a form POST (the
SDK's default; its SOS button adds ``alarm=sos``), a JSON array of the same flat objects
(``uploadJson``), or the older transistorsoft JSON ``{"location": {...}, "device_id": ...}``.
All four become :class:`Report` values. A request without a device id, or with numbers that
are not numbers, is the client's fault (:class:`MalformedFrameError`, HTTP 400). Unknown keys
are ignored; ``alarm`` is a comma-separated set, as in Traccar.

A position off the globe (a latitude beyond ±90° or a longitude beyond ±180°) is a bad fix, not
a bad request: the position is dropped (both coordinates: half a position places nothing) and
the report kept, because an SOS with an impossible position must still reach the dispatcher.
A JSON body nested too deeply for the decoder is malformed like any other, and so is a request of
more fields (or reports) than any client sends: each costs work on the loop that ACKs alarms.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import msgspec

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.text import refuse_nul

EPOCH_MS_FROM: Final = 2**31
"""Traccar reads a numeric timestamp at or above 2^31 as milliseconds."""
MAX_LATITUDE: Final = 90.0
MAX_LONGITUDE: Final = 180.0
MAX_FIELDS: Final = 256
"""Traccar Client sends about fifteen fields; counting the separators first (C speed) refuses a
body of a hundred thousand empty pairs before Python builds a list of them."""
MAX_REPORTS: Final = 1000
"""Positions in one JSON array upload: a phone's offline backlog is sent in batches far smaller,
and each report becomes a signal to commit."""
_json = msgspec.json.Decoder()


class Report(msgspec.Struct, frozen=True, kw_only=True):
    device_id: str
    device_time: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    speed_knots: float | None = None
    bearing: float | None = None
    altitude_m: float | None = None
    accuracy_m: float | None = None
    battery_pct: float | None = None
    alarms: tuple[str, ...] = ()

    @property
    def sos(self) -> bool:
        return "sos" in self.alarms


def parse_request(method: str, target: str, content_type: str, body: bytes) -> list[Report]:
    """Reports in one request (several for a JSON array); raises MalformedFrameError."""
    reports = _reports(method, target, content_type, body)
    for report in reports:
        refuse_nul("OsmAnd report", report.device_id, *report.alarms)
    return reports


def _reports(method: str, target: str, content_type: str, body: bytes) -> list[Report]:
    query = urlsplit(target).query
    fields = _pairs(query)
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if method.upper() == "POST" and body:
        if kind == "application/json":
            return _json_reports(body)
        fields += _pairs(_text(body))
    return [_flat_report(fields)]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedFrameError("OsmAnd body is not UTF-8") from err


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as err:
        raise MalformedFrameError(f"OsmAnd request with over {MAX_FIELDS} fields") from err


def _flat_report(pairs: Iterable[tuple[str, str]]) -> Report:
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)  # repeated keys (cell, wifi) are not read; first wins
    device_id = fields.get("id") or fields.get("deviceid")
    if not device_id:
        raise MalformedFrameError("OsmAnd request without id or deviceid")
    lat, lon = _number(fields.get("lat")), _number(fields.get("lon"))
    if "location" in fields and lat is None:
        lat, lon = _location(fields["location"])
    lat, lon = _on_globe(lat, lon)
    return Report(
        device_id=device_id,
        device_time=_timestamp(fields.get("timestamp")),
        lat=lat,
        lon=lon,
        speed_knots=_number(fields.get("speed")),
        bearing=_number(fields.get("bearing") or fields.get("heading")),
        altitude_m=_number(fields.get("altitude")),
        accuracy_m=_number(fields.get("accuracy")),
        battery_pct=_number(fields.get("batt")),
        alarms=_alarms(fields.get("alarm")),
    )


def _location(text: str) -> tuple[float | None, float | None]:
    parts = text.split(",")
    if len(parts) != 2:
        raise MalformedFrameError(f"OsmAnd location {text!r} is not lat,lon")
    return _number(parts[0]), _number(parts[1])


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedFrameError(f"OsmAnd value {value!r} is not a number")
    try:
        number = float(value) if isinstance(value, int | float | str) else float("nan")
    except (ValueError, OverflowError) as err:
        raise MalformedFrameError(f"OsmAnd value {value!r} is not a number") from err
    if not math.isfinite(number):
        raise MalformedFrameError(f"OsmAnd value {value!r} is not a finite number")
    return number


def _on_globe(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """``lat`` and ``lon``, or both None when either is off the globe."""
    off_globe = (lat is not None and abs(lat) > MAX_LATITUDE) or (
        lon is not None and abs(lon) > MAX_LONGITUDE
    )
    return (None, None) if off_globe else (lat, lon)


def _timestamp(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and not _is_number(value):
        text = value.replace(" ", "T").replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as err:
            raise MalformedFrameError(f"OsmAnd timestamp {value!r} is not a time") from err
        try:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError as err:
            raise MalformedFrameError(f"OsmAnd timestamp {value!r} is out of range") from err
    seconds = _number(value)
    assert seconds is not None
    if seconds >= EPOCH_MS_FROM:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise MalformedFrameError(f"OsmAnd timestamp {value!r} is out of range") from err


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _alarms(value: object) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _json_reports(body: bytes) -> list[Report]:
    try:
        decoded = _json.decode(body)
    except (msgspec.DecodeError, RecursionError) as err:  # msgspec caps nesting with the latter
        raise MalformedFrameError("OsmAnd JSON body does not parse") from err
    if isinstance(decoded, list):
        if not decoded or len(decoded) > MAX_REPORTS:
            raise MalformedFrameError(f"OsmAnd JSON array of {len(decoded)} reports")
        return [_flat_report(_flat_pairs(item)) for item in decoded]
    if isinstance(decoded, dict) and isinstance(decoded.get("location"), dict):
        return [_transistorsoft(decoded)]
    if isinstance(decoded, dict):
        return [_flat_report(_flat_pairs(decoded))]
    raise MalformedFrameError("OsmAnd JSON is neither an object nor an array")


def _flat_pairs(item: object) -> list[tuple[str, str]]:
    if not isinstance(item, dict):
        raise MalformedFrameError("OsmAnd JSON array item is not an object")
    return [(str(key), _scalar(value)) for key, value in item.items()]


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float | str):
        return str(value)
    raise MalformedFrameError("OsmAnd JSON value is not a scalar")


def _transistorsoft(decoded: Mapping[str, Any]) -> Report:
    location: Mapping[str, Any] = decoded["location"]
    coords = _object(location.get("coords"))
    extras = _object(location.get("extras"))
    battery = _object(location.get("battery"))
    device_id = decoded.get("device_id") or extras.get("device_id")
    if not isinstance(device_id, str | int) or isinstance(device_id, bool) or device_id == "":
        raise MalformedFrameError("OsmAnd JSON without device_id")
    level = _number(battery.get("level"))
    speed_mps = _number(coords.get("speed"))
    lat, lon = _on_globe(_number(coords.get("latitude")), _number(coords.get("longitude")))
    return Report(
        device_id=str(device_id),
        device_time=_timestamp(location.get("timestamp")),
        lat=lat,
        lon=lon,
        speed_knots=None if speed_mps is None or speed_mps < 0 else speed_mps * 1.943844,
        bearing=_number(coords.get("heading")),
        altitude_m=_number(coords.get("altitude")),
        accuracy_m=_number(coords.get("accuracy")),
        battery_pct=None if level is None else level * 100,
        alarms=_alarms(location.get("alarm") or extras.get("alarm")),
    )


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
