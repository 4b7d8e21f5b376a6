"""The devices and crews every served variant starts with, imported with `posbon … import`.

Each DC-09 panel has its own account and site, so a transport/key combination raises exactly
one alert that no other test can be mistaken for (a second sender with the same account would
repeat sequence 0001 and be answered as a retransmission).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

KEY_AES128: Final = b"Samarkand-2026!!"  # registered as ascii
KEY_AES256: Final = bytes.fromhex(
    "8f3b1c0d5e6a7b2c9d4e1f0a3b5c7d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8"
)  # registered as hex
KEYS: Final[dict[str, bytes | None]] = {"plain": None, "aes128": KEY_AES128, "aes256": KEY_AES256}
TRANSPORTS: Final = ("TCP", "UDP")
REGISTAN: Final = (39.6548, 66.9757)


@dataclass(frozen=True)
class Panel:
    transport: str
    key_name: str
    account: str

    @property
    def key(self) -> bytes | None:
        return KEYS[self.key_name]

    @property
    def site(self) -> str:
        return f"Acceptance panel {self.account} {self.transport} {self.key_name}"


PANELS: Final = {
    (transport, key_name): Panel(transport, key_name, f"7{t}{k}0")
    for t, transport in enumerate(TRANSPORTS, start=1)
    for k, key_name in enumerate(KEYS, start=1)
}
PHONE: Final = "acceptance-phone-7"
PHONE_SITE: Final = "Acceptance phone site"
TRACKER_IMEI: Final = "868120145233604"
TELTONIKA_IMEI: Final = "356307042441013"
"""The IMEI of Teltonika's published Codec 8 examples (tests/data/teltonika)."""
TRACKER_SITE: Final = "Acceptance tracker site"
BUTTON: Final = f"acceptance-button-{uuid.uuid4().hex[:10]}"  # the broker is shared: unique
BUTTON_SITE: Final = "Acceptance button site"

CREW_FOR_SOCKETS: Final = ("Acceptance crew Registan", 1)
CREW_FOR_SYNC: Final = ("Acceptance crew Siyob", 2)
"""(name, id): ids as a fresh database numbers the imported rows; the fixture checks them."""
CREWS: Final = (CREW_FOR_SOCKETS, CREW_FOR_SYNC)
ROLES: Final = ("admin", "dispatcher", "crew", "upload_station", "camera", "device")


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def devices_csv() -> str:
    lat, lon = REGISTAN
    header = ["account", "protocol", "kind", "site", "address", "lat", "lon"]
    header += ["key", "key_format", "encrypted", "supervision_s"]
    rows: list[list[object]] = []
    for panel in PANELS.values():
        key = panel.key
        key_text = "" if key is None else key.decode() if key == KEY_AES128 else key.hex()
        key_format = "ascii" if key == KEY_AES128 else "hex"
        encrypted = "true" if key else "false"
        where = [panel.site, "Registan square", lat, lon]
        rows.append(
            [panel.account, "dc09", "panic_button", *where, key_text, key_format, encrypted, 0]
        )
    for account, protocol, site in (
        (PHONE, "osmand", PHONE_SITE),
        (TRACKER_IMEI, "gt06", TRACKER_SITE),
        (TELTONIKA_IMEI, "teltonika", TRACKER_SITE),
        (BUTTON, "mqtt", BUTTON_SITE),
    ):
        where = [site, "Registan square", lat, lon]
        rows.append([account, protocol, "sos_button", *where, "", "hex", "false", 0])
    return _csv(header, rows)


def crews_csv() -> str:
    lat, lon = REGISTAN
    rows: list[list[object]] = [[name, "Aziz;Bekzod", "Registan", lat, lon] for name, _ in CREWS]
    return _csv(["name", "members", "district", "lat", "lon"], rows)


def write_fleet(folder: Path) -> tuple[Path, Path]:
    """devices.csv and crews.csv in ``folder``."""
    devices, crews = folder / "devices.csv", folder / "crews.csv"
    devices.write_text(devices_csv(), encoding="utf-8")
    crews.write_text(crews_csv(), encoding="utf-8")
    return devices, crews
