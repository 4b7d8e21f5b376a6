"""Demo data: places in Samarkand with plausible coordinates, buttons at each, and six crews.

The names follow the city's real institutions' naming (numbered schools and kindergartens,
universities, bank branches, public SOS columns on squares and markets); the coordinates are
within a few hundred metres of the real places. Seeding is idempotent. The monitoring centre's
data (action plans, key-holders, opening hours) is in server/demo/centre.py.
"""

from __future__ import annotations

from typing import Final

from server.crews.imports import import_crews
from server.db import Database
from server.demo.centre import seed_centre
from server.devices.imports import import_devices
from server.sites.imports import import_sites

DEMO_TIME_ZONE: Final = "Asia/Samarkand"

# name, kind, address, district, lat, lon
SITES: Final = (
    ("Registan square SOS column", "sos_column", "Registan ko'chasi", "Registan", 39.6548, 66.9757),
    ("Siab bazaar SOS column", "sos_column", "Toshkent ko'chasi 50", "Siyob", 39.6619, 66.9806),
    ("Railway station SOS column", "sos_column", "Rudakiy ko'chasi 1", "Vokzal", 39.6772, 66.9074),
    (
        "Amir Temur mausoleum SOS column",
        "sos_column",
        "Sohibqiron ko'chasi",
        "Registan",
        39.6485,
        66.9689,
    ),
    (
        "University boulevard SOS column",
        "sos_column",
        "Universitet xiyoboni",
        "Markaz",
        39.6519,
        66.9622,
    ),
    ("School No. 1", "school", "Mirzo Ulug'bek ko'chasi 12", "Markaz", 39.6580, 66.9540),
    ("School No. 21", "school", "Gagarin ko'chasi 80", "Sattepo", 39.6700, 66.9400),
    ("School No. 37", "school", "Bo'stonsaroy ko'chasi 15", "Bo'stonsaroy", 39.6395, 66.9520),
    ("School No. 51", "school", "Dahbed yo'li 120", "Kaftarxona", 39.6850, 66.9900),
    ("Kindergarten No. 9", "kindergarten", "Amir Temur ko'chasi 44", "Markaz", 39.6560, 66.9650),
    (
        "Kindergarten No. 26",
        "kindergarten",
        "Spitamen shoh ko'chasi 7",
        "Sattepo",
        39.6655,
        66.9300,
    ),
    (
        "Samarkand State University",
        "university",
        "Universitet xiyoboni 15",
        "Markaz",
        39.6509,
        66.9609,
    ),
    ("Medical university", "university", "Amir Temur ko'chasi 18", "Markaz", 39.6555, 66.9630),
    (
        "Samarkand college of service",
        "college",
        "Ibn Sino ko'chasi 21",
        "Ibn Sino",
        39.6440,
        66.9350,
    ),
    (
        "National bank, Samarkand branch",
        "bank",
        "Mustaqillik maydoni 3",
        "Markaz",
        39.6540,
        66.9580,
    ),
    ("Agrobank, Siab branch", "bank", "Toshkent ko'chasi 12", "Siyob", 39.6590, 66.9770),
    ("Regional administration", "office", "Mustaqillik maydoni 1", "Markaz", 39.6530, 66.9570),
    ("Afrosiyob hotel", "hotel", "Registan ko'chasi 38", "Registan", 39.6530, 66.9720),
)

# name, members, district, lat, lon
CREWS: Final = (
    ("Berkut-1", "Sgt. Aliyev;Cpl. Karimov", "Markaz", 39.6545, 66.9600),
    ("Berkut-2", "Sgt. Rashidov;Cpl. Usmonov", "Registan", 39.6560, 66.9740),
    ("Berkut-3", "Sgt. Nazarov;Cpl. Toshpo'latov", "Sattepo", 39.6690, 66.9350),
    ("Berkut-4", "Sgt. Xolmatov;Cpl. Ergashev", "Vokzal", 39.6760, 66.9120),
    ("Berkut-5", "Sgt. Yusupov;Cpl. Qodirov", "Bo'stonsaroy", 39.6410, 66.9480),
    ("Berkut-6", "Sgt. Mirzayev;Cpl. Sobirov", "Kaftarxona", 39.6830, 66.9870),
)


def _csv_cell(value: object) -> str:
    text = str(value)
    return f'"{text}"' if "," in text else text


def panel_account(index: int) -> str:
    """The DC-09 account of the button at ``SITES[index - 1]`` (unencrypted: no key)."""
    return f"{1000 + index:06d}"


def devices_csv() -> str:
    lines = ["account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s"]
    for index, (name, kind, address, _, lat, lon) in enumerate(SITES, start=1):
        button = "sos_column" if kind == "sos_column" else "panic_button"
        cells = (
            panel_account(index),
            "dc09",
            button,
            name,
            address,
            lat,
            lon,
            "",
            "hex",
            "false",
            0,  # unsupervised: the simulated buttons send no link tests
        )
        lines.append(",".join(_csv_cell(cell) for cell in cells))
    return "\n".join(lines) + "\n"


def sites_csv() -> str:
    lines = ["name,kind,address,district,lat,lon"]
    lines.extend(",".join(_csv_cell(cell) for cell in site) for site in SITES)
    return "\n".join(lines) + "\n"


def crews_csv() -> str:
    lines = ["name,members,district,lat,lon"]
    lines.extend(",".join(_csv_cell(cell) for cell in crew) for crew in CREWS)
    return "\n".join(lines) + "\n"


def accounts_of_kind(kind: str) -> frozenset[str]:
    """The DC-09 accounts of the demo's buttons at sites of `kind` (e.g. "bank")."""
    return frozenset(
        panel_account(index) for index, site in enumerate(SITES, start=1) if site[1] == kind
    )


async def seed(db: Database, time_zone: str = DEMO_TIME_ZONE) -> None:
    """Sites, buttons, crews, then the monitoring centre's plans, key-holders and opening
    hours (server/demo/centre.py); `time_zone` is the hours' zone (the server's setting)."""
    for report in (
        await import_sites(db, sites_csv()),
        await import_devices(db, devices_csv()),
        await import_crews(db, crews_csv()),
        *await seed_centre(db, time_zone),
    ):
        if not report.applied:
            raise RuntimeError(f"demo seed rejected: {report.rejected}")
