"""The tune/holdout split is fixed by the photos' bytes: these tests pin it.

``plate_split.txt`` lists every photo of the two OpenALPR benchmark sets (the whole sets stay
outside the repository) by its SHA-256; the few copies in tests/data are checked byte for byte.
"""

from pathlib import Path

from recognition.evaluation.split import Half, half_of, half_of_digest, half_of_file, split
from tests.datafiles import EU_PLATES, US_PLATES

MANIFEST = Path(__file__).with_name("plate_split.txt")


def _manifest() -> list[tuple[str, Half, str, str]]:
    rows = []
    for line in MANIFEST.read_text().splitlines():
        if line and not line.startswith("#"):
            set_name, half, digest, name = line.split()
            rows.append((set_name, Half(half), digest, name))
    return rows


def test_the_half_is_the_parity_of_the_first_byte_of_the_sha256() -> None:
    # sha256(b"") starts e3 (odd), sha256(b"a") starts ca (even)
    assert half_of(b"") is Half.HOLDOUT
    assert half_of(b"a") is Half.TUNE
    assert half_of_digest("ca97") is Half.TUNE
    assert half_of_digest("e3b0") is Half.HOLDOUT


def test_every_benchmark_photo_is_in_the_half_its_digest_gives() -> None:
    for _, half, digest, _ in _manifest():
        assert half_of_digest(digest) is half


def test_the_benchmark_split_has_the_counts_the_figures_were_measured_on() -> None:
    counts: dict[tuple[str, Half], int] = {}
    for set_name, half, _, _ in _manifest():
        counts[set_name, half] = counts.get((set_name, half), 0) + 1
    assert counts == {
        ("eu", Half.TUNE): 20,
        ("eu", Half.HOLDOUT): 34,
        ("us", Half.TUNE): 96,
        ("us", Half.HOLDOUT): 126,
    }


def test_the_photos_in_the_repository_hash_as_listed() -> None:
    listed = {(set_name, name): half for set_name, half, _, name in _manifest()}
    photos = [*sorted(EU_PLATES.glob("*.jpg")), *sorted(US_PLATES.glob("*.jpg"))]
    assert len(photos) == 14
    for photo in photos:
        assert half_of_file(photo) is listed[photo.parent.name, photo.name]


def test_split_keeps_order_and_names_both_halves_even_when_one_is_empty() -> None:
    photos = sorted(US_PLATES.glob("*.jpg"))
    halves = split(photos, lambda path: path)
    assert set(halves) == {Half.TUNE, Half.HOLDOUT}
    assert [p.name for p in halves[Half.TUNE]] == ["wts-lg-000101.jpg", "wts-lg-000169.jpg"]
    assert len(halves[Half.HOLDOUT]) == 6
    assert split([], lambda path: path) == {Half.TUNE: [], Half.HOLDOUT: []}
