"""The `posbon` command as an installer uses it: tokens and CSV imports on a real data dir."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.db import Database
from server.settings import Settings

pytestmark = pytest.mark.integration

DEVICES_HEADER = "account,protocol,kind,site,address,lat,lon,key,key_format,encrypted,supervision_s"


def posbon(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--data-dir", settings.data_dir]
    if settings.database_url:
        flags += ["--database-url", settings.database_url]
    return subprocess.run(
        [sys.executable, "-m", "server", *args, *flags],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_token_create_prints_a_token_and_refuses_a_crew_token_without_a_crew(
    settings: Settings, db: Database
) -> None:
    made = posbon(settings, "token", "create", "--role", "dispatcher", "--name", "desk-1")
    assert made.returncode == 0
    assert made.stdout.strip().startswith("pb_")
    refused = posbon(settings, "token", "create", "--role", "crew", "--name", "tablet")
    assert refused.returncode == 1
    assert "--crew" in refused.stderr


async def test_a_devices_file_with_a_bad_row_imports_nothing_and_names_the_line(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "devices.csv"
    sheet.write_text(
        f"{DEVICES_HEADER}\n"
        "001001,dc09,panic_button,School No. 1,Mirzo Ulugbek 12,39.658,66.954,,hex,false,3600\n"
        "001002,dc09,panic_button,Bank A,Toshkent 12,39.659,66.977,zz,hex,true,600\n"
        "001003,dc09,panic_button,Bank A,Toshkent 12,95.0,66.977,,hex,false,600\n"
    )
    result = posbon(settings, "devices", "import", str(sheet))
    assert result.returncode == 1
    assert f"{sheet}:3:" in result.stderr
    assert "not hexadecimal" in result.stderr
    assert f"{sheet}:4:" in result.stderr
    assert "nothing was imported" in result.stdout
    assert await db.fetch("SELECT id FROM devices") == []
    assert await db.fetch("SELECT id FROM sites") == []


async def test_skip_invalid_imports_the_good_rows_and_a_rerun_changes_nothing(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "devices.csv"
    sheet.write_text(
        f"{DEVICES_HEADER}\n"
        "001001,dc09,panic_button,School No. 1,Mirzo Ulugbek 12,39.658,66.954,,hex,false,3600\n"
        "001002,dc09,sos_column,Registan,Registan,39.6548,66.9757,"
        "850cba22f7dd4f033405da83e4c5bae9,hex,true,600\n"
        "001003,dc09,panic_button,,,,,,hex,maybe,600\n"
    )
    for _ in range(2):
        result = posbon(settings, "devices", "import", str(sheet), "--skip-invalid")
        assert result.returncode == 0, result.stderr
        assert "2 rows imported; 1 invalid rows skipped" in result.stdout
        assert "importing devices" in result.stderr  # the progress bar
    devices = await db.fetch("SELECT account, encrypted FROM devices ORDER BY account")
    assert [row["account"] for row in devices] == ["001001", "001002"]
    assert len(await db.fetch("SELECT id FROM sites")) == 2


async def test_sites_and_crews_import(settings: Settings, db: Database, tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "name,kind,address,district,lat,lon\n"
        "School No. 37,school,Bo'stonsaroy 15,Bo'stonsaroy,39.6395,66.952\n"
    )
    crews = tmp_path / "crews.csv"
    crews.write_text(
        "name,members,district,lat,lon\nBerkut-1,Sgt. Aliyev;Cpl. Karimov,Markaz,39.6545,66.96\n"
    )
    assert posbon(settings, "sites", "import", str(sites)).returncode == 0
    assert posbon(settings, "crews", "import", str(crews)).returncode == 0
    (crew,) = await db.fetch("SELECT name, members FROM crews")
    assert crew["name"] == "Berkut-1"
    assert "Cpl. Karimov" in str(crew["members"])
    (site,) = await db.fetch("SELECT kind, district FROM sites")
    assert (site["kind"], site["district"]) == ("school", "Bo'stonsaroy")


async def test_a_sites_file_that_is_not_utf8_names_the_line_and_imports_nothing(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "sites.csv"
    sheet.write_bytes(b"name,address\nRegistan,x\n" + "Мактаб,y\n".encode("cp1251"))
    result = posbon(settings, "sites", "import", str(sheet))
    assert result.returncode == 1
    assert f"{sheet}:3: byte 1 " in result.stderr
    assert "not UTF-8" in result.stdout
    assert "Traceback" not in result.stderr
    assert await db.fetch("SELECT id FROM sites") == []


async def test_a_cell_too_large_to_read_names_its_line_and_batches_are_a_flag(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "sites.csv"
    good = "".join(f"Post {n},x\n" for n in range(1, 6))
    sheet.write_text(f"name,address\n{good}Huge,{'a' * 200_000}\n")
    result = posbon(settings, "sites", "import", str(sheet), "--batch-rows", "2")
    assert result.returncode == 1
    assert f"{sheet}:7: the line cannot be read" in result.stderr
    assert await db.fetch("SELECT id FROM sites") == []
    skipped = posbon(settings, "sites", "import", str(sheet), "--batch-rows", "2", "--skip-invalid")
    assert "5 rows imported; 1 invalid rows skipped" in skipped.stdout
    assert len(await db.fetch("SELECT id FROM sites")) == 5
