"""IoT button payloads to :class:`ButtonEvent`, sans-I/O (reference §5).

* Zigbee2MQTT, topic ``zigbee2mqtt/<name>``: ``{"action": "emergency"}`` (Tuya TS0215A_sos) or
  ``{"sos": true}`` (IAS-zone buttons) is an SOS; any other state message proves life.
  ``…/availability``, ``…/set``, ``…/get`` and ``zigbee2mqtt/bridge/…`` are not device reports.
* Shelly Button1, topic ``shellies/<id>/input_event/<n>``: any press (``S``, ``SS``, ``SSS``,
  ``L``) is an SOS: a panic button has no other use. ``…/sensor/battery`` proves life.
* The Things Stack webhook: an uplink whose decoded payload says ``alarm``/``sos``/
  ``emergency`` (true), or ``action: emergency``, is an SOS; any other uplink proves life.
  ``f_cnt`` 0 is omitted by the stack ("empty fields are omitted") and read as 0.

The webhook takes the same Zigbee2MQTT and Shelly payloads with the device id in its URL.
Nothing here raises for an unknown shape: it returns None (not a button report), because
adapters sit on shared brokers full of other traffic. Bytes that are not JSON where JSON is
due raise :class:`MalformedFrameError` (so does JSON nested deeper than the decoder goes).
"""

import enum
import hashlib
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.text import refuse_nul

Z2M_PREFIX: Final = "zigbee2mqtt/"
Z2M_NOT_REPORTS: Final = frozenset({"availability", "set", "get"})
SHELLY_PREFIX: Final = "shellies/"
SHELLY_PRESSES: Final = frozenset({"S", "SS", "SSS", "L", "SL", "LS"})
ALARM_KEYS: Final = ("alarm", "sos", "emergency", "panic")
_json = msgspec.json.Decoder()


class ButtonKind(enum.StrEnum):
    SOS = "sos"
    ALIVE = "alive"


class ButtonEvent(msgspec.Struct, frozen=True, kw_only=True):
    """``dedup`` identifies a retransmission of the same report (None: every report is new)."""

    device_id: str
    kind: ButtonKind
    family: str
    detail: str
    dedup: str | None = None


def parse_mqtt(topic: str, payload: bytes) -> ButtonEvent | None:
    return _checked(_from_mqtt(topic, payload))


def _checked(event: ButtonEvent | None) -> ButtonEvent | None:
    if event is not None:
        refuse_nul("button report", event.device_id, event.family, event.detail, event.dedup)
    return event


def _from_mqtt(topic: str, payload: bytes) -> ButtonEvent | None:
    if topic.startswith(Z2M_PREFIX):
        name = topic.removeprefix(Z2M_PREFIX)
        if not name or name.startswith("bridge/") or name.rpartition("/")[2] in Z2M_NOT_REPORTS:
            return None
        return _zigbee(name, _object(payload))
    if topic.startswith(SHELLY_PREFIX):
        device, _, rest = topic.removeprefix(SHELLY_PREFIX).partition("/")
        if device and rest.startswith("input_event/"):
            return _shelly(device, _object(payload))
        if device and rest == "sensor/battery":
            return ButtonEvent(
                device_id=device, kind=ButtonKind.ALIVE, family="shelly", detail="battery report"
            )
    return None


def parse_webhook(device_id: str, body: bytes) -> ButtonEvent | None:
    """A webhook body: a The Things Stack uplink, or a Zigbee2MQTT/Shelly payload for
    ``device_id`` (taken from the URL)."""
    return _checked(_from_webhook(device_id, body))


def _from_webhook(device_id: str, body: bytes) -> ButtonEvent | None:
    decoded = _object(body)
    if isinstance(decoded.get("end_device_ids"), dict):
        return _things_stack(decoded)
    if "event" in decoded and "event_cnt" in decoded:
        return _shelly(device_id, decoded)
    return _zigbee(device_id, decoded) if device_id else None


def _object(payload: bytes) -> Mapping[str, Any]:
    try:
        decoded = _json.decode(payload)
    except (msgspec.DecodeError, RecursionError) as err:  # msgspec caps nesting with the latter
        raise MalformedFrameError("button payload is not JSON") from err
    if not isinstance(decoded, dict):
        raise MalformedFrameError("button payload is not a JSON object")
    return decoded


def _says_alarm(values: Mapping[str, Any]) -> bool:
    return values.get("action") == "emergency" or any(values.get(k) is True for k in ALARM_KEYS)


def _zigbee(name: str, state: Mapping[str, Any]) -> ButtonEvent:
    if _says_alarm(state):
        return ButtonEvent(
            device_id=name,
            kind=ButtonKind.SOS,
            family="zigbee2mqtt",
            detail=f"action {state.get('action', 'sos')}",
        )
    return ButtonEvent(
        device_id=name, kind=ButtonKind.ALIVE, family="zigbee2mqtt", detail="state report"
    )


def _shelly(device: str, event: Mapping[str, Any]) -> ButtonEvent | None:
    press, count = event.get("event"), event.get("event_cnt")
    if press not in SHELLY_PRESSES:
        return None
    dedup = f"shelly:{device}:{count}" if isinstance(count, int) else None
    return ButtonEvent(
        device_id=device, kind=ButtonKind.SOS, family="shelly", detail=f"press {press}", dedup=dedup
    )


def _things_stack(uplink: Mapping[str, Any]) -> ButtonEvent | None:
    ids: Mapping[str, Any] = uplink["end_device_ids"]
    message = uplink.get("uplink_message")
    device_id = ids.get("device_id")
    if not isinstance(message, dict) or not isinstance(device_id, str) or not device_id:
        return None
    decoded = message.get("decoded_payload")
    decoded = decoded if isinstance(decoded, dict) else {}
    count = message.get("f_cnt", 0)
    session = ids.get("dev_addr") or ""
    key = f"tts:{ids.get('dev_eui') or device_id}:{session}:{count}"
    dedup = hashlib.sha256(key.encode()).hexdigest()[:32]
    kind = ButtonKind.SOS if _says_alarm(decoded) else ButtonKind.ALIVE
    return ButtonEvent(
        device_id=device_id,
        kind=kind,
        family="the_things_stack",
        detail=f"uplink f_cnt {count}",
        dedup=dedup,
    )
