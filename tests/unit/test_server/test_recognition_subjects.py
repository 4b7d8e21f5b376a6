"""The shared cooldown's decision: whether a subject the node's memory calls new is still a
sighting of the alert another node (or this one before a restart) raised (pure)."""

import datetime as dt

from server.cameras.schemas import MAX_COOLDOWN_S
from server.recognition.subjects import AlertRef, Remembered, carried_on, horizon_s

COOLDOWN_S = 60.0
SEEN_AT = dt.datetime(2026, 12, 15, 8, 0, tzinfo=dt.UTC)
ROW = Remembered(alert_id=41, incident_id=17, crop_id=5, last_seen_at=SEEN_AT)


def _after(seconds: float) -> dt.datetime:
    return SEEN_AT + dt.timedelta(seconds=seconds)


def test_a_subject_never_recorded_is_a_new_alert() -> None:
    assert carried_on(None, SEEN_AT, COOLDOWN_S) is None


def test_a_subject_recorded_within_the_cooldown_is_a_sighting_of_its_alert() -> None:
    assert carried_on(ROW, _after(1), COOLDOWN_S) == AlertRef(41, 17, 5)
    assert carried_on(ROW, _after(COOLDOWN_S), COOLDOWN_S) == AlertRef(41, 17, 5)


def test_a_subject_recorded_longer_ago_than_the_cooldown_is_a_new_alert() -> None:
    assert carried_on(ROW, _after(COOLDOWN_S + 0.001), COOLDOWN_S) is None


def test_the_cooldown_of_the_camera_now_decides_not_the_one_the_row_was_written_under() -> None:
    assert carried_on(ROW, _after(30), cooldown_s=10.0) is None
    assert carried_on(ROW, _after(30), cooldown_s=0.0) is None
    assert carried_on(ROW, _after(30), cooldown_s=3600.0) == ROW.ref


def test_a_row_stamped_by_a_node_whose_clock_runs_ahead_is_still_a_sighting() -> None:
    assert carried_on(ROW, _after(-2), COOLDOWN_S) == ROW.ref


def test_a_camera_without_a_cooldown_alerts_on_every_frame_whatever_the_clocks() -> None:
    assert carried_on(ROW, _after(-2), cooldown_s=0.0) is None
    assert carried_on(ROW, SEEN_AT, cooldown_s=0.0) is None


def test_rows_are_kept_as_long_as_the_longest_cooldown_any_camera_can_have() -> None:
    assert horizon_s(60.0) == MAX_COOLDOWN_S
    assert horizon_s(2 * MAX_COOLDOWN_S) == 2 * MAX_COOLDOWN_S
