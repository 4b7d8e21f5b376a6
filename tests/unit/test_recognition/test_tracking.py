"""Linking detections into tracks and the box a track gives on any frame (pure arithmetic)."""

import msgspec

from recognition.tracking import (
    Box,
    Detection,
    Track,
    Tracker,
    TrackerSettings,
    TrackKind,
    boxes_at,
    in_frame_order,
    pad,
)

SETTINGS = TrackerSettings(max_gap_frames=10, margin_frames=3, pad_share=0.0)
WIDTH_PX, HEIGHT_PX = 640, 360


def _track(keyframes: list[tuple[int, Box]], first: int, last: int) -> Track:
    return Track(
        track_id="t", kind=TrackKind.MANUAL, keyframes=keyframes, first_frame=first, last_frame=last
    )


def _face(x: float, y: float = 100.0, size: float = 40.0) -> Detection:
    return Detection(TrackKind.FACE, (x, y, size, size))


def _tracks(frames: dict[int, list[Detection]], frame_count: int = 100) -> list[Track]:
    tracker = Tracker(SETTINGS)
    for frame, detections in sorted(frames.items()):
        tracker.add(frame, detections)
    return tracker.tracks(frame_count, WIDTH_PX, HEIGHT_PX)


def test_a_box_between_keyframes_is_interpolated() -> None:
    track = _track([(0, Box(0, 0, 10, 10)), (10, Box(100, 50, 30, 10))], 0, 10)
    assert boxes_at(track, 5) == Box(50, 25, 20, 10)


def test_a_keyframe_gives_its_own_box() -> None:
    track = _track([(0, Box(0, 0, 10, 10)), (4, Box(7, 8, 9, 10))], 0, 9)
    assert boxes_at(track, 4) == Box(7, 8, 9, 10)


def test_outside_its_span_a_track_has_no_box() -> None:
    track = _track([(5, Box(0, 0, 10, 10))], 3, 7)
    assert boxes_at(track, 2) is None
    assert boxes_at(track, 8) is None
    assert boxes_at(track, 3) == boxes_at(track, 7) == Box(0, 0, 10, 10)


def test_in_the_margin_the_box_covers_where_it_was_and_where_it_is_heading() -> None:
    # Moving right 10 px per frame; three frames after the last keyframe it is 30 px further.
    track = _track([(8, Box(80, 0, 10, 10)), (10, Box(100, 0, 10, 10))], 5, 13)
    assert boxes_at(track, 13) == Box(100, 0, 40, 10)
    assert boxes_at(track, 6) == Box(60, 0, 30, 10)  # and back the other way before the first


def test_keyframes_sent_out_of_order_are_put_in_frame_order() -> None:
    track = _track([(9, Box(90, 0, 10, 10)), (0, Box(0, 0, 10, 10))], 0, 9)
    ordered = in_frame_order(track)
    assert [frame for frame, _ in ordered.keyframes] == [0, 9]
    assert boxes_at(ordered, 5) == Box(50, 0, 10, 10)
    assert in_frame_order(ordered) is ordered


def test_a_single_keyframe_is_held_over_the_whole_span() -> None:
    track = _track([(0, Box(1, 2, 3, 4))], 0, 99)
    assert {boxes_at(track, frame) for frame in range(100)} == {Box(1, 2, 3, 4)}


def test_a_face_seen_on_every_frame_is_one_track() -> None:
    tracks = _tracks({frame: [_face(10.0 + 5 * frame)] for frame in range(20)})
    assert [t.track_id for t in tracks] == ["face-1"]
    assert len(tracks[0].keyframes) == 20


def test_two_faces_apart_are_two_tracks_each_following_its_own() -> None:
    frames = {f: [_face(10.0 + 2 * f), _face(500.0 - 2 * f, y=200.0)] for f in range(15)}
    tracks = _tracks(frames)
    assert [t.track_id for t in tracks] == ["face-1", "face-2"]
    for track in tracks:
        ys = {box.y_px for _, box in track.keyframes}
        assert len(ys) == 1  # never swapped to the other face


def test_a_face_the_detector_misses_for_a_few_frames_stays_covered() -> None:
    frames = {f: [_face(10.0 + 4 * f)] for f in range(20) if not 8 <= f <= 12}
    (track,) = _tracks(frames)
    for frame in range(8, 13):
        box = boxes_at(track, frame)
        assert box is not None
        assert box.x_px <= 10 + 4 * frame
        assert box.x_px + box.width_px >= 10 + 4 * frame + 40


def test_a_face_gone_longer_than_the_gap_comes_back_as_a_new_track() -> None:
    frames = {0: [_face(10.0)], 1: [_face(12.0)], 20: [_face(14.0)]}
    assert [t.track_id for t in _tracks(frames)] == ["face-1", "face-2"]


def test_a_fast_face_seen_every_few_frames_is_linked_by_its_motion() -> None:
    # 60 px between looks with a 40 px box: the boxes never overlap, the prediction does.
    tracks = _tracks({f: [_face(10.0 + 12 * f)] for f in range(0, 40, 5)})
    assert len(tracks) == 1


def test_a_detection_far_from_every_track_starts_its_own() -> None:
    tracks = _tracks({0: [_face(10.0)], 1: [_face(400.0)]})
    assert len(tracks) == 2


def test_a_face_and_a_plate_in_the_same_place_are_never_one_track() -> None:
    plate = Detection(TrackKind.PLATE, (10.0, 100.0, 40.0, 40.0))
    tracks = _tracks({0: [_face(10.0)], 1: [plate]})
    assert sorted(t.track_id for t in tracks) == ["face-1", "plate-1"]


def test_margins_are_added_and_stop_at_the_ends_of_the_video() -> None:
    tracks = _tracks({1: [_face(10.0)], 2: [_face(11.0)], 50: [_face(300.0)]}, frame_count=52)
    assert [(t.first_frame, t.last_frame) for t in tracks] == [(0, 5), (47, 51)]


def test_a_padded_box_grows_on_every_side_and_stays_in_the_picture() -> None:
    assert pad((100.0, 100.0, 40.0, 20.0), 0.25, WIDTH_PX, HEIGHT_PX) == Box(90, 95, 60, 30)
    assert pad((620.0, 0.0, 40.0, 20.0), 0.25, WIDTH_PX, HEIGHT_PX) == Box(610, 0, 30, 25)


def test_the_margin_covers_the_frames_between_detections() -> None:
    settings = TrackerSettings.for_video(fps=25.0, detect_every_n_frames=30)
    assert settings.margin_frames >= 30
    assert settings.max_gap_frames >= 60
    assert TrackerSettings.for_video(fps=30.0, detect_every_n_frames=1).margin_frames == 15


def test_a_track_travels_as_compact_json() -> None:
    track = _track([(0, Box(1, 2, 3, 4))], 0, 5)
    encoded = msgspec.json.encode(track)
    assert encoded == (
        b'{"track_id":"t","kind":"manual","keyframes":[[0,[1,2,3,4]]],'
        b'"first_frame":0,"last_frame":5}'
    )
    assert msgspec.json.decode(encoded, type=Track) == track
