"""Where the tests' real inputs live: tests/data, inside the repository, so a fresh clone runs
every test on its own. tests/data/SOURCES.md gives each file's origin and licence."""

from pathlib import Path
from typing import Final

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
DC09_DIR: Final = DATA_DIR / "dc09"
GT06_FRAMES: Final = DATA_DIR / "gt06" / "gt06_traccar_tests.jsonl"
OSMAND_REQUESTS: Final = DATA_DIR / "osmand" / "osmand_traccar_requests.jsonl"
EU_PLATES: Final = DATA_DIR / "plates" / "eu"
US_PLATES: Final = DATA_DIR / "plates" / "us"
ATT_FACES: Final = DATA_DIR / "faces" / "att"
YALE_FACES: Final = DATA_DIR / "faces" / "yale"
FACE_EXAMPLES: Final = DATA_DIR / "faces" / "face_recognition_examples" / "examples"
OBAMA: Final = FACE_EXAMPLES / "knn_examples" / "train" / "obama" / "obama.jpg"
OBAMA_AGAIN: Final = FACE_EXAMPLES / "knn_examples" / "test" / "obama1.jpg"
BIDEN: Final = FACE_EXAMPLES / "knn_examples" / "train" / "biden" / "biden.jpg"
OBAMA_AND_BIDEN: Final = FACE_EXAMPLES / "knn_examples" / "test" / "obama_and_biden.jpg"
