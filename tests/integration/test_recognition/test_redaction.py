"""Redaction end to end on a video the suite writes: real detectors propose, OpenCV renders, and
the same detectors then look at every frame of the derivative and must find nothing.

Each check that a derivative is clean is paired with one showing that the checker finds what it
should where nothing was blurred (the original, an unredacted render), so a checker that went
blind could not pass these tests.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from recognition.errors import ImageError
from recognition.faces import Face, FaceDetector
from recognition.models import ModelPaths
from recognition.plates import PlateReader
from recognition.redaction import (
    Box,
    ImageArray,
    Track,
    TrackKind,
    probe,
    propose,
    read_frame,
    render,
)
from recognition.runner import ModelRunner
from tests.integration.test_recognition.redaction_video import SceneVideo, write_scene_video

pytestmark = [pytest.mark.integration, pytest.mark.slow]

Found = list[tuple[int, int]]  # per frame: faces found, plates found
MISSED_FRAMES = range(20, 27)


@pytest.fixture(scope="module")
def faces(model_paths: ModelPaths) -> FaceDetector:
    return FaceDetector(ModelRunner(model_paths.face_detector, intra_op_threads=1))


@pytest.fixture(scope="module")
def plates(model_paths: ModelPaths) -> PlateReader:
    return PlateReader(
        ModelRunner(model_paths.plate_detector, intra_op_threads=1),
        ModelRunner(model_paths.plate_reader, intra_op_threads=1),
    )


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> SceneVideo:
    return write_scene_video(tmp_path_factory.mktemp("scene") / "bodycam.mp4")


def _decoded(video: Path) -> Iterator[ImageArray]:
    capture = cv2.VideoCapture(str(video))
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            yield np.asarray(frame, dtype=np.uint8)
    finally:
        capture.release()


def _found(video: Path, faces: FaceDetector, plates: PlateReader) -> Found:
    return [(len(faces.detect(f)), len(plates.detect(f)[0])) for f in _decoded(video)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def in_original(scene: SceneVideo, faces: FaceDetector, plates: PlateReader) -> Found:
    return _found(scene.path, faces, plates)


class BlindAt:
    """A face detector that sees nothing on some frames: ``propose`` calls it once per frame
    it looks at, in order, so counting calls gives the frame."""

    def __init__(self, inner: FaceDetector, blind_frames: range) -> None:
        self.inner, self.blind_frames, self.calls = inner, blind_frames, 0

    def detect(self, image: ImageArray) -> list[Face]:
        frame, self.calls = self.calls, self.calls + 1
        return [] if frame in self.blind_frames else self.inner.detect(image)


def test_the_scene_shows_two_faces_and_a_plate(scene: SceneVideo, in_original: Found) -> None:
    assert len(in_original) == scene.frame_count
    assert all(face_count >= 1 and plate_count == 1 for face_count, plate_count in in_original)
    assert sum(face_count == 2 for face_count, _ in in_original) >= 0.9 * scene.frame_count
    assert all(in_original[frame][0] >= 1 for frame in MISSED_FRAMES)


def test_the_derivative_has_no_face_or_plate_in_any_frame(
    scene: SceneVideo, faces: FaceDetector, plates: PlateReader, tmp_path: Path
) -> None:
    original_sha256 = _sha256(scene.path)
    seen: list[tuple[int, int]] = []
    proposal = propose(scene.path, faces, plates, progress=lambda d, t: seen.append((d, t)))
    assert sorted(t.kind for t in proposal.tracks) == ["face", "face", "plate"]
    assert proposal.video.frame_count == scene.frame_count
    assert seen[-1] == (scene.frame_count, scene.frame_count)

    out = tmp_path / "redacted"
    result = render(scene.path, out, proposal.tracks)

    assert result.frames == scene.frame_count
    assert result.output_suffix in {".webm", ".mp4"}
    assert [p.name for p in tmp_path.iterdir()] == ["redacted"]  # no partial file left
    assert probe(out).frame_count == scene.frame_count
    assert _found(out, faces, plates) == [(0, 0)] * scene.frame_count
    assert _sha256(scene.path) == original_sha256


def test_frames_the_detectors_were_not_run_on_are_blurred_too(
    scene: SceneVideo, faces: FaceDetector, plates: PlateReader, tmp_path: Path
) -> None:
    proposal = propose(scene.path, faces, plates, detect_every_n_frames=5)
    assert len(proposal.tracks) == 3
    assert {frame % 5 for t in proposal.tracks for frame, _ in t.keyframes} == {0}

    render(scene.path, tmp_path / "redacted", proposal.tracks)

    assert _found(tmp_path / "redacted", faces, plates) == [(0, 0)] * scene.frame_count


def test_frames_where_the_face_detector_missed_are_blurred_by_the_track(
    scene: SceneVideo, faces: FaceDetector, plates: PlateReader, tmp_path: Path
) -> None:
    proposal = propose(scene.path, BlindAt(faces, MISSED_FRAMES), plates)
    for track in (t for t in proposal.tracks if t.kind == TrackKind.FACE):
        assert not {frame for frame, _ in track.keyframes} & set(MISSED_FRAMES)

    render(scene.path, tmp_path / "redacted", proposal.tracks)

    found = _found(tmp_path / "redacted", faces, plates)
    assert [found[frame] for frame in MISSED_FRAMES] == [(0, 0)] * len(MISSED_FRAMES)
    assert found == [(0, 0)] * scene.frame_count


def test_a_render_without_tracks_still_shows_every_face_to_the_checker(
    scene: SceneVideo, faces: FaceDetector, plates: PlateReader, tmp_path: Path
) -> None:
    render(scene.path, tmp_path / "plain", [])
    found = _found(tmp_path / "plain", faces, plates)
    assert all(face_count >= 1 and plate_count == 1 for face_count, plate_count in found)


def test_only_what_the_reviewer_keeps_or_adds_is_blurred(
    scene: SceneVideo, faces: FaceDetector, plates: PlateReader, tmp_path: Path
) -> None:
    """The plate track is removed from the proposal and a manual box over the top left of the
    picture (clear of the car) added for the first ten frames: the plate shows throughout, and
    one face (the one starting on the left) is hidden only while the manual box is on it."""
    proposal = propose(scene.path, faces, None, detect_every_n_frames=5)
    right_face = max(proposal.tracks, key=lambda t: t.keyframes[0][1].x_px)
    manual = Track(
        track_id="manual-1",
        kind=TrackKind.MANUAL,
        keyframes=[(0, Box(0, 0, scene.width_px // 2, 270))],
        first_frame=0,
        last_frame=9,
    )

    render(scene.path, tmp_path / "reviewed", [right_face, manual])

    found = _found(tmp_path / "reviewed", faces, plates)
    assert all(plate_count == 1 for _, plate_count in found)
    assert [face_count for face_count, _ in found[:10]] == [0] * 10
    assert sum(face_count == 1 for face_count, _ in found[10:]) >= 0.9 * (scene.frame_count - 10)


def test_a_frame_read_for_a_thumbnail_is_the_frame_played_at_that_index(
    scene: SceneVideo,
) -> None:
    sequential = list(_decoded(scene.path))
    for frame in (0, 17, scene.frame_count - 1):
        assert np.array_equal(read_frame(scene.path, frame), sequential[frame])
    with pytest.raises(ImageError):
        read_frame(scene.path, scene.frame_count)


def test_a_file_that_is_no_video_is_refused(tmp_path: Path) -> None:
    not_video = tmp_path / "notes.mp4"
    not_video.write_bytes(b"not a video at all")
    with pytest.raises(ImageError):
        probe(not_video)
    with pytest.raises(ImageError):
        render(not_video, tmp_path / "out", [])
    assert [p.name for p in tmp_path.iterdir()] == ["notes.mp4"]


class Interrupted(Exception):
    pass


def test_a_render_stopped_midway_leaves_nothing_behind(scene: SceneVideo, tmp_path: Path) -> None:
    def stop_at_frame_10(done: int, total: int) -> None:
        if done == 10:
            raise Interrupted

    with pytest.raises(Interrupted):
        render(scene.path, tmp_path / "redacted", [], progress=stop_at_frame_10)
    assert list(tmp_path.iterdir()) == []


def test_nonsense_arguments_are_refused(scene: SceneVideo, faces: FaceDetector) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        propose(scene.path, faces, None, detect_every_n_frames=0)
    with pytest.raises(ImageError):
        read_frame(scene.path, -1)
