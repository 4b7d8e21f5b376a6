"""Seeded convergence runs beyond the suite's 200: the same in-memory world (tablets, faulty
transport, partitions, ±3 h skew, server restarts, the compaction job) and the same invariants,
more seeds.

    .venv/bin/python -m bench.sync_convergence --seeds 1000
    .venv/bin/python -m bench.sync_convergence --seeds 300 --first 200   # past the suite's seeds
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Final

from tests.unit.test_sync.invariants import check_invariants
from tests.unit.test_sync.simulation import run_world

DEFAULT_SEEDS: Final = 1000
DEFAULT_STEPS: Final = 120  # what tests/unit/test_sync/test_convergence.py runs


def _run_seed(seed: int, steps: int) -> str | None:
    """None if the seed converged, else why it did not."""
    try:
        check_invariants(asyncio.run(run_world(seed, steps)))
    except AssertionError as err:
        return f"seed {seed}: {err}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="how many seeds to run")
    parser.add_argument("--first", type=int, default=0, help="the first seed")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="steps per world")
    args = parser.parse_args()
    started_s = time.perf_counter()
    failures = [
        failure
        for seed in range(args.first, args.first + args.seeds)
        if (failure := _run_seed(seed, args.steps)) is not None
    ]
    elapsed_s = time.perf_counter() - started_s
    for failure in failures:
        print(failure)
    print(
        f"seeds run: {args.seeds} (from {args.first}, {args.steps} steps each), "
        f"failures: {len(failures)}, seconds: {elapsed_s:.1f}"
    )
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
