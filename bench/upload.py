"""Evidence upload benchmark: tus PATCH over loopback, with the server's fsync and full SHA-256
re-hash, against a plain copy of the same bytes on the same disk in the same run.

    .venv/bin/python -m bench.upload                # 256 MiB and 1 GiB files
    .venv/bin/python -m bench.upload --sizes-mib 128

Throughput is file size / wall time from the POST to the last PATCH's 204 (which the server sends
only after the bytes are synced and the whole file re-hashed and verified). The server's peak RSS
is read from /proc after each size: flat memory means it does not grow with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.common import wait_healthy
from bench.relay import _posbon, _token_for
from tests.integration.test_evidence.helpers import make_video, register_recording

CHUNK_BYTES = 64 * 1024 * 1024
READ_BYTES = 4 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pieces(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            block = handle.read(min(READ_BYTES, remaining))
            remaining -= len(block)
            yield block


def _upload(base: str, token: str, video: Path, recording_id: str) -> float:
    size = video.stat().st_size
    metadata = "recording_id " + base64.b64encode(recording_id.encode()).decode()
    headers = {"Authorization": f"Bearer {token}"} | TUS
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        created = client.post(
            "/uploads/", headers={"Upload-Length": str(size), "Upload-Metadata": metadata}
        )
        url = created.headers["Location"]
        offset = 0
        while offset < size:
            length = min(CHUNK_BYTES, size - offset)
            response = client.patch(
                url,
                content=_pieces(video, offset, length),
                headers={
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Content-Length": str(length),
                },
            )
            assert response.status_code == 204, response.text
            offset = int(response.headers["Upload-Offset"])
    return time.perf_counter() - started


def _plain_copy(video: Path, target: Path) -> float:
    started = time.perf_counter()
    shutil.copyfile(video, target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mib", default="256,1024")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("POSBON_BENCH_DIR")) as tmp:
        data_dir = Path(tmp) / "var"
        token = _token_for(data_dir, "upload_station")
        port = 19000 + os.getpid() % 1000
        server = _posbon(data_dir, "serve", "--http-port", str(port))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            print(
                f"{'size MiB':>9} {'tus MB/s':>9} {'copy MB/s':>10} {'ratio':>6} "
                f"{'server peak RSS MiB':>20}"
            )
            for size_mib in (int(n) for n in args.sizes_mib.split(",")):
                video = Path(tmp) / f"rec-{size_mib}.bin"
                sha256 = make_video(video, size_mib * 1024 * 1024)
                recording_id = asyncio.run(register_recording(base, token, video, sha256))
                copy_s = _plain_copy(video, Path(tmp) / "copy.bin")
                tus_s = _upload(base, token, video, str(recording_id))
                size_mb = video.stat().st_size / 1e6
                print(
                    f"{size_mib:>9} {size_mb / tus_s:>9.0f} {size_mb / copy_s:>10.0f} "
                    f"{(size_mb / tus_s) / (size_mb / copy_s):>6.2f} "
                    f"{_peak_rss_mib(server.pid):>20.0f}",
                    flush=True,
                )
                video.unlink()
                (Path(tmp) / "copy.bin").unlink()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
