import cv2
import numpy as np

from recognition.faces import ImageArray
from recognition.plate_crops import character_band, cut_to_band, trimmed

HEIGHT_PX, WIDTH_PX = 160, 420


def _plate(characters: str = "AB 123", light_on_dark: bool = False) -> ImageArray:
    """A plate drawn with a state name above and a slogan below its row of characters."""
    ink, paper = (255, 0) if light_on_dark else (0, 255)
    image = np.full((HEIGHT_PX, WIDTH_PX, 3), paper, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(image, "STATE OF PLATES", (120, 22), font, 0.5, (ink,) * 3, 1)
    cv2.putText(image, characters, (40, 110), font, 2.5, (ink,) * 3, 8)
    cv2.putText(image, "land of tests", (130, 150), font, 0.5, (ink,) * 3, 1)
    return image


def _ink_rows(image: ImageArray, paper: int = 255) -> np.ndarray:
    return np.flatnonzero((image[:, :, 0] != paper).any(axis=1))


def test_the_band_is_the_row_of_large_characters_not_the_small_print() -> None:
    image = _plate()
    band = character_band(image)
    assert band is not None
    top, bottom = band
    assert 45 <= top < 70
    assert 100 <= bottom <= 120
    cut = cut_to_band(image, band)
    assert len(_ink_rows(cut)) > 0
    assert cut.shape[0] < 100  # neither the state name (y < 25) nor the slogan (y > 135)
    rows = _ink_rows(image)
    assert rows.min() < top - (bottom - top) * 0.2  # the small print lies outside the cut


def test_light_characters_on_a_dark_plate_are_found_too() -> None:
    band = character_band(_plate(light_on_dark=True))
    assert band is not None
    assert 45 <= band[0] < 70


def test_a_crop_with_no_characters_has_no_band() -> None:
    assert character_band(np.full((HEIGHT_PX, WIDTH_PX, 3), 200, np.uint8)) is None
    assert character_band(_plate(characters="A")) is None  # one blob is not a row


def test_trimming_cuts_the_share_from_both_ends_and_never_everything() -> None:
    image = np.zeros((100, 10, 3), np.uint8)
    assert trimmed(image, 0.15).shape[0] == 70
    assert trimmed(np.zeros((3, 10, 3), np.uint8), 0.5).shape[0] >= 1
