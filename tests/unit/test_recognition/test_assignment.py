from __future__ import annotations

import itertools

from recognition.assignment import assign, moved, owner
from recognition.providers import choose

CAMERAS = [f"camera:{n}" for n in range(1, 301)]


def test_no_live_worker_means_no_owner() -> None:
    assert owner("camera:1", []) is None
    assert assign(CAMERAS[:3], []) == {}


def test_every_camera_has_exactly_one_worker_whatever_the_order_of_the_list() -> None:
    workers = ["w-a", "w-b", "w-c"]
    first = assign(CAMERAS, workers)
    for order in itertools.permutations(workers):
        assert assign(CAMERAS, order) == first
    served = sorted(camera for cameras in first.values() for camera in cameras)
    assert served == sorted(CAMERAS)


def test_cameras_spread_over_the_workers() -> None:
    shares = assign(CAMERAS, ["w-a", "w-b", "w-c"])
    assert all(len(cameras) > 60 for cameras in shares.values())  # 100 each on average


def test_a_worker_leaving_moves_only_its_own_cameras() -> None:
    before = assign(CAMERAS, ["w-a", "w-b", "w-c"])
    after = assign(CAMERAS, ["w-a", "w-c"])
    assert moved(before, after) == set(before["w-b"])
    assert all(set(before[w]) <= set(after[w]) for w in ("w-a", "w-c"))


def test_a_worker_joining_takes_cameras_only_from_the_others_not_between_them() -> None:
    before = assign(CAMERAS, ["w-a", "w-b"])
    after = assign(CAMERAS, ["w-a", "w-b", "w-c"])
    assert moved(before, after) == set(after["w-c"])
    assert after["w-c"]


def test_the_models_run_on_the_best_accelerator_present_with_the_cpu_behind_it() -> None:
    assert choose(["AzureExecutionProvider", "CPUExecutionProvider"]) == ("CPUExecutionProvider",)
    assert choose(["CPUExecutionProvider", "OpenVINOExecutionProvider"]) == (
        "OpenVINOExecutionProvider",
        "CPUExecutionProvider",
    )
    assert choose(["CUDAExecutionProvider", "OpenVINOExecutionProvider"])[0] == (
        "CUDAExecutionProvider"
    )
