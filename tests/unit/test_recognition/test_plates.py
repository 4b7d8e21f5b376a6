import numpy as np

from recognition.plates import (
    LETTERBOX_GREY,
    READER_HEIGHT_PX,
    READER_MIN_WIDTH_PX,
    ctc_glyphs,
    ctc_greedy_decode,
    decode_yolo,
    letterbox,
    reader_alphabet,
    reader_strip,
    shrink_box,
)


def test_ctc_merges_repeats_and_drops_blanks() -> None:
    alphabet = ["", "A", "B"]
    steps = [0, 1, 1, 0, 1, 2, 2, 0]  # blank A A blank A B B blank -> "AAB"
    probabilities = np.full((len(steps), 3), 0.1, np.float32)
    probabilities[np.arange(len(steps)), steps] = 0.8
    text, confidence = ctc_greedy_decode(probabilities, alphabet)
    assert text == "AAB"
    assert confidence == np.float32(0.8)


def test_ctc_of_all_blanks_is_empty_with_no_confidence() -> None:
    probabilities = np.zeros((4, 3), np.float32)
    probabilities[:, 0] = 1.0
    assert ctc_greedy_decode(probabilities, ["", "A", "B"]) == ("", 0.0)


def test_alphabet_has_blank_first_and_space_last() -> None:
    assert reader_alphabet({"character": "A\nB"}) == ["", "A", "B", " "]


def test_yolo_output_decodes_centre_size_to_corners() -> None:
    output = np.zeros((1, 5 + 32, 3), np.float32)  # two anchors, one class, mask coefficients
    output[0, :5, 0] = [100, 50, 40, 20, 0.9]
    output[0, :5, 1] = [10, 10, 5, 5, 0.1]
    boxes, scores = decode_yolo(output, class_count=1, min_score=0.25)
    np.testing.assert_allclose(boxes, [[80, 40, 120, 60]])
    np.testing.assert_allclose(scores, [0.9])


def test_letterbox_keeps_aspect_and_centres() -> None:
    image = np.zeros((100, 200, 3), np.uint8)
    canvas, scale, (left, top) = letterbox(image, 64)
    assert canvas.shape == (64, 64, 3)
    assert scale == 0.32
    assert (left, top) == (0, 16)
    assert (canvas[:16] == LETTERBOX_GREY).all()
    assert (canvas[16:48] == 0).all()


def test_reader_strip_is_48_high_and_padded_to_the_minimum_width() -> None:
    crop = np.full((20, 80, 3), 255, np.uint8)
    strip = reader_strip(crop)
    assert strip.shape == (3, READER_HEIGHT_PX, READER_MIN_WIDTH_PX)
    assert np.min(strip[:, :, :192]) == 1.0
    assert np.max(strip[:, :, 192:]) == 0.0


def test_shrunk_box_stays_inside_the_frame() -> None:
    box = np.array([-10, 5, 110, 45], np.float32)
    assert shrink_box(box, 0.1, height=40, width=100) == (0, 7, 100, 40)


def test_ctc_glyph_keeps_its_best_probability_and_the_runner_up_characters() -> None:
    alphabet = ["", "A", "B", "8"]
    probabilities = np.array(
        [
            [0.9, 0.05, 0.03, 0.02],  # blank
            [0.1, 0.0, 0.6, 0.3],  # B, 8 runner-up
            [0.0, 0.0, 0.65, 0.35],  # B again: the same glyph
            [0.9, 0.1, 0.0, 0.0],  # blank
            [0.0, 0.7, 0.0, 0.0],  # A, no runner-up at all
        ],
        np.float32,
    )
    first, second = ctc_glyphs(probabilities, alphabet)
    assert (first.char, first.probability) == ("B", float(np.float32(0.65)))
    assert first.alternatives == (("8", float(np.float32(0.35))),)  # never the blank, never itself
    assert (second.char, second.alternatives) == ("A", ())


def test_ctc_runner_ups_come_likeliest_first_and_no_more_than_asked() -> None:
    alphabet = ["", *"ABCDEFGH"]
    run = np.array([[0.0, 0.05, 0.3, 0.1, 0.2, 0.0, 0.15, 0.01, 0.19]], np.float32)
    (glyph,) = ctc_glyphs(run, alphabet, alternatives=3)
    assert glyph.char == "B"
    assert [char for char, _ in glyph.alternatives] == ["D", "H", "F"]
    (none_asked,) = ctc_glyphs(run, alphabet, alternatives=0)
    assert none_asked.alternatives == ()
    (more_than_there,) = ctc_glyphs(run, alphabet, alternatives=50)
    assert len(more_than_there.alternatives) == 6  # every other non-zero character, once
