"""OsmAnd: every real Traccar request parses as Traccar reads it; SOS in every shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from device_gateway.errors import MalformedFrameError
from device_gateway.protocols.osmand import parse_request
from tests.unit.test_device_gateway.tracker_support import osmand_rows

ROWS = osmand_rows()
T_2013 = datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC)


def parse(row: dict[str, Any]) -> Any:
    body = row.get("body", "").encode()
    return parse_request(row["method"], row.get("target", "/"), row.get("content_type", ""), body)


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{r['kind']}" for i, r in enumerate(ROWS)])
def test_every_real_request_gives_a_report_or_a_400(row: dict[str, Any]) -> None:
    if "no id" in row["expect"]:
        with pytest.raises(MalformedFrameError):
            parse(row)
        return
    reports = parse(row)
    assert reports
    assert all(report.device_id for report in reports)


def test_epoch_seconds_milliseconds_iso_and_space_timestamps() -> None:
    times = [parse(ROWS[i])[0].device_time for i in range(4)]
    assert times[0] == T_2013
    assert times[1] == datetime(2016, 1, 27, 18, 55, 47, tzinfo=UTC)
    assert times[2] == datetime(2015, 9, 12, 14, 38, 6, 579_000, tzinfo=UTC)
    assert times[3] == datetime(2014, 6, 4, 9, 10, 11, tzinfo=UTC)


def test_deviceid_alias_and_missing_timestamp() -> None:
    (report,) = parse(ROWS[4])
    assert (report.device_id, report.device_time, report.lat) == ("123456", None, 60.0)


def test_the_location_form_and_a_network_only_report() -> None:
    assert (parse(ROWS[5])[0].lat, parse(ROWS[5])[0].lon) == (60.0, 30.0)
    assert parse(ROWS[7])[0].lat is None


@pytest.mark.parametrize("index", [8, 9])
def test_the_sos_button_in_form_and_json_array_uploads(index: int) -> None:
    (report,) = parse(ROWS[index])
    assert report.sos
    assert (report.lat, report.lon, report.battery_pct) == (37.4219983, -122.084, 87.0)


def test_transistorsoft_json_and_its_alarm_in_extras() -> None:
    (report,) = parse(ROWS[10])
    assert report.device_id == "48241179"
    assert report.battery_pct == 100.0
    assert not report.sos
    body = ROWS[10]["body"].replace('"extras":{}', '"extras":{"alarm":"sos"}')
    (alarmed,) = parse_request("POST", "/", "application/json", body.encode())
    assert alarmed.sos


def test_several_alarms_and_a_json_object_body() -> None:
    (report,) = parse_request(
        "POST", "/", "application/json", b'{"id":"7","alarm":"lowBattery,sos"}'
    )
    assert report.alarms == ("lowBattery", "sos")


@pytest.mark.parametrize(
    ("target", "body", "content_type"),
    [
        ("/?id=1&lat=abc", b"", ""),
        ("/?id=1&lat=inf", b"", ""),
        ("/?id=1&location=1", b"", ""),
        ("/?id=1&timestamp=yesterday", b"", ""),
        ("/?id=1&timestamp=1e300", b"", ""),
        ("/?id=1&timestamp=0001-01-01T00:00:00%2B01:00", b"", ""),
        ("/", b"\xff\xfe", "application/x-www-form-urlencoded"),
        ("/", b"{", "application/json"),
        ("/", b"[]", "application/json"),
        ("/", b"[1]", "application/json"),
        ("/", b"3", "application/json"),
        ("/", b'[{"id": [1]}]', "application/json"),
        ("/", b'{"location": {}, "device_id": true}', "application/json"),
        ("/", b'[{"id": "1", "lat": true}]', "application/json"),
        ("/?id=ab%00cd&lat=39.6&lon=66.9", b"", ""),  # PostgreSQL cannot store a NUL
        ("/", b'[{"id": "ab\\u0000cd"}]', "application/json"),
        ("/?id=1&alarm=s%00s", b"", ""),
    ],
)
def test_malformed_requests_are_the_clients_fault(
    target: str, body: bytes, content_type: str
) -> None:
    with pytest.raises(MalformedFrameError):
        parse_request("POST", target, content_type, body)


def test_null_values_in_a_json_array_are_missing_values() -> None:
    (report,) = parse_request("POST", "/", "application/json", b'[{"id": 5, "lat": null}]')
    assert (report.device_id, report.lat) == ("5", None)


def test_a_boolean_coordinate_is_not_a_number() -> None:
    body = b'{"location": {"coords": {"latitude": true}}, "device_id": "1"}'
    with pytest.raises(MalformedFrameError):
        parse_request("POST", "/", "application/json", body)


@pytest.mark.parametrize(
    ("target", "body", "content_type"),
    [
        ("/?id=7&alarm=sos&lat=2386.0&lon=2386.0", b"", ""),
        ("/?id=7&alarm=sos&lat=91&lon=66.9", b"", ""),
        ("/?id=7&alarm=sos&lat=39.6&lon=-181", b"", ""),
        ("/?id=7&alarm=sos&location=-90.5,66.9", b"", ""),
        ("/", b'[{"id": "7", "alarm": "sos", "lat": 2386, "lon": 2386}]', "application/json"),
        (
            "/",
            b'{"device_id": "7", "location": {"coords": {"latitude": 95, "longitude": 1},'
            b' "extras": {"alarm": "sos"}}}',
            "application/json",
        ),
    ],
)
def test_an_sos_off_the_globe_is_still_an_sos_without_a_position(
    target: str, body: bytes, content_type: str
) -> None:
    (report,) = parse_request("POST" if body else "GET", target, content_type, body)
    assert report.sos
    assert (report.lat, report.lon) == (None, None)


def test_the_edges_of_the_globe_are_positions() -> None:
    (report,) = parse_request("GET", "/?id=7&lat=-90&lon=180", "", b"")
    assert (report.lat, report.lon) == (-90.0, 180.0)


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_json_nested_too_deeply_is_the_clients_fault(opening: bytes) -> None:
    depth = 100_000
    body = opening * depth + b"1" + (b"]" if opening == b"[" else b"}") * depth
    with pytest.raises(MalformedFrameError):
        parse_request("POST", "/", "application/json", body)


def test_more_fields_or_reports_than_any_client_sends_are_refused() -> None:
    with pytest.raises(MalformedFrameError):
        parse_request("POST", "/?id=7", "application/x-www-form-urlencoded", b"=&" * 100_000)
    with pytest.raises(MalformedFrameError):
        parse_request("GET", "/?id=7" + "&a=1" * 1000, "", b"")
    many = b"[" + b",".join([b'{"id": "7"}'] * 1001) + b"]"
    with pytest.raises(MalformedFrameError):
        parse_request("POST", "/", "application/json", many)
    (report,) = parse_request("GET", "/?id=7" + "&a=1" * 200, "", b"")
    assert report.device_id == "7"
