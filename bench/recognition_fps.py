"""Recognition accuracy on labelled photo sets and latency per 1280x720 frame on one core.

Run: .venv/bin/python -m bench.recognition_fps [DATA_DIR] --photos DIR [--repeats N]
(models are prepared into DATA_DIR/models, default var/). DIR holds the whole photo sets, laid out
as tests/data (run without --photos to be told where to get them; `--photos tests/data` measures
the few copies the tests use). The same figures as `posbon recognition eval DIR`, plus the
machine, as Markdown for BENCHMARKS.md.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from recognition.evaluation import benchmark
from recognition.modelprep.prepare import prepare_models

ROOT = Path(__file__).resolve().parents[1]
LSCPU_LINES = 15


def machine() -> str:
    lines = [f"nproc = {os.cpu_count()}", f"Python {platform.python_version()}"]
    lscpu = shutil.which("lscpu")
    if lscpu is not None:
        out = subprocess.run([lscpu], capture_output=True, text=True, check=False).stdout
        lines += out.splitlines()[:LSCPU_LINES]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", nargs="?", type=Path, default=ROOT / "var")
    parser.add_argument("--photos", type=Path, help="the photo sets (left out: where to get them)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    if args.photos is None or not any(benchmark.photo_sets(args.photos)):
        said = "no --photos given" if args.photos is None else f"no photo sets in {args.photos}"
        sys.exit(f"{said}\n{benchmark.WHERE_TO_GET_SETS}")
    paths = prepare_models(args.data_dir, wheel_dir=ROOT / "var" / "wheels")
    options = benchmark.Options(intra_op_threads=1, repeats=args.repeats)
    report = benchmark.run(paths, args.photos, options, lambda _: None)
    print("```")
    print(machine())
    print("```\n")
    print(benchmark.render(report))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
