"""Real models on the real photos in tests/data. The models come from the installed wheels plus
the wheels that set-up downloads into var/wheels (see the Makefile)."""

from pathlib import Path

import pytest

from recognition.modelprep.prepare import prepare_models
from recognition.models import ModelPaths

PROJECT_ROOT = Path(__file__).resolve().parents[3]
WHEEL_DIR = PROJECT_ROOT / "var" / "wheels"


@pytest.fixture(scope="session")
def model_paths(tmp_path_factory: pytest.TempPathFactory) -> ModelPaths:
    return prepare_models(tmp_path_factory.mktemp("posbon-data"), wheel_dir=WHEEL_DIR)
