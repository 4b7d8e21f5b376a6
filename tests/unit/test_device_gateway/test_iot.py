"""IoT buttons: Zigbee2MQTT, Shelly Button1 and The Things Stack payloads, over MQTT or a
webhook, become SOS or proof-of-life events; other traffic on the broker is ignored."""

from __future__ import annotations

import pytest

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.iot import ButtonKind, parse_mqtt, parse_webhook

TTS_UPLINK = (
    b'{"end_device_ids":{"device_id":"sos-17","application_ids":{"application_id":"city"},'
    b'"dev_eui":"70B3D57ED005A1B2","dev_addr":"260B1234"},"received_at":"2026-11-25T10:00:00Z",'
    b'"uplink_message":{"f_port":1,"f_cnt":42,"frm_payload":"AQ==",'
    b'"decoded_payload":{"alarm":true,"battery":3.1}}}'
)


def test_a_tuya_sos_button_action_is_an_sos() -> None:
    event = parse_mqtt("zigbee2mqtt/school_7", b'{"action":"emergency","battery":80}')
    assert event is not None
    assert (event.device_id, event.kind, event.family) == (
        "school_7",
        ButtonKind.SOS,
        "zigbee2mqtt",
    )


def test_an_ias_zone_sos_flag_is_an_sos_and_other_states_prove_life() -> None:
    sos = parse_mqtt("zigbee2mqtt/b", b'{"sos":true}')
    quiet = parse_mqtt("zigbee2mqtt/b", b'{"sos":false,"battery":90}')
    assert sos is not None
    assert quiet is not None
    assert (sos.kind, quiet.kind) == (ButtonKind.SOS, ButtonKind.ALIVE)


@pytest.mark.parametrize(
    "topic",
    ["zigbee2mqtt/bridge/state", "zigbee2mqtt/b/availability", "zigbee2mqtt/b/set", "other/x",
     "zigbee2mqtt/", "shellies/x/relay/0"],
)  # fmt: skip
def test_broker_traffic_that_is_not_a_report_is_ignored(topic: str) -> None:
    assert parse_mqtt(topic, b'{"state":"online"}') is None


def test_a_shelly_press_is_an_sos_deduplicated_by_its_counter() -> None:
    event = parse_mqtt(
        "shellies/shellybutton1-A4CF12/input_event/0", b'{"event":"S","event_cnt":2}'
    )
    assert event is not None
    assert (event.device_id, event.kind) == ("shellybutton1-A4CF12", ButtonKind.SOS)
    assert event.dedup == "shelly:shellybutton1-A4CF12:2"
    assert parse_mqtt("shellies/s/input_event/0", b'{"event":"","event_cnt":3}') is None


def test_a_shelly_battery_report_proves_life() -> None:
    event = parse_mqtt("shellies/s1/sensor/battery", b"87")
    assert event is not None
    assert event.kind is ButtonKind.ALIVE


def test_a_things_stack_uplink_with_an_alarm_is_an_sos_and_deduplicated() -> None:
    event = parse_webhook("", TTS_UPLINK)
    assert event is not None
    assert (event.device_id, event.kind, event.family) == (
        "sos-17",
        ButtonKind.SOS,
        "the_things_stack",
    )
    again = parse_webhook("", TTS_UPLINK)
    assert again is not None
    assert again.dedup == event.dedup


def test_a_things_stack_uplink_with_f_cnt_zero_omitted_is_counter_zero() -> None:
    body = TTS_UPLINK.replace(b'"f_cnt":42,', b"").replace(b'"alarm":true', b'"alarm":false')
    event = parse_webhook("", body)
    assert event is not None
    assert event.kind is ButtonKind.ALIVE
    assert event.detail == "uplink f_cnt 0"


def test_a_things_stack_message_without_an_uplink_is_ignored() -> None:
    assert parse_webhook("", b'{"end_device_ids":{"device_id":"x"}}') is None


def test_webhook_takes_zigbee_and_shelly_payloads_for_the_device_in_its_url() -> None:
    zigbee = parse_webhook("gate-3", b'{"action":"emergency"}')
    shelly = parse_webhook("gate-4", b'{"event":"L","event_cnt":9}')
    assert zigbee is not None
    assert shelly is not None
    assert (zigbee.kind, shelly.kind) == (ButtonKind.SOS, ButtonKind.SOS)
    assert parse_webhook("", b'{"action":"emergency"}') is None


@pytest.mark.parametrize("payload", [b"not json", b"[1,2]"])
def test_payloads_that_are_not_json_objects_are_refused(payload: bytes) -> None:
    with pytest.raises(MalformedFrameError):
        parse_mqtt("zigbee2mqtt/b", payload)


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("zigbee2mqtt/gate\x00", b'{"action":"emergency"}'),
        ("zigbee2mqtt/gate", b'{"sos":true,"action":"sos\\u0000"}'),
    ],
)
def test_a_nul_character_is_refused_before_it_reaches_storage(topic: str, payload: bytes) -> None:
    with pytest.raises(MalformedFrameError, match="NUL"):
        parse_mqtt(topic, payload)
    with pytest.raises(MalformedFrameError, match="NUL"):
        parse_webhook("gate\x00", b'{"action":"emergency"}')


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_json_nested_too_deeply_is_refused_as_malformed(opening: bytes) -> None:
    depth = 100_000
    body = opening * depth + b"1" + (b"]" if opening == b"[" else b"}") * depth
    with pytest.raises(MalformedFrameError):
        parse_webhook("button-1", body)
    with pytest.raises(MalformedFrameError):
        parse_mqtt("zigbee2mqtt/button-1", body)
