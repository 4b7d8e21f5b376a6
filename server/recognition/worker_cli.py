"""`posbon recognition worker`: the command that runs one recognition worker until stopped.

It needs the models (prepared here on first use, like the server), Redis (bus_url: the same
one the nodes use) and a node to report to (recognition_api_url, with a camera-role token in
recognition_worker_token). It opens no database and listens on no port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from server.settings import Settings, SettingsError, flag_and_variable
from server.settings_flags import RECOGNIZER, add_arguments

if TYPE_CHECKING:
    from recognition.models import ModelPaths

logger = logging.getLogger(__name__)

WORKER_SETTINGS = (
    *RECOGNIZER,
    "bus_url",
    "recognition_api_url",
    "recognition_worker_token",
    "recognition_worker_lease_s",
    "recognition_worker_batch_max",
    "recognition_frame_max_age_s",
    "recognition_stream_max",
)


def add_parser(actions: Any) -> None:
    worker = actions.add_parser(
        "worker",
        help="analyse camera frames queued in Redis for a node with recognition_workers=external",
    )
    worker.add_argument(
        "--name", default="", help="this worker's name in the cluster (default: HOST-PID)"
    )
    add_arguments(worker, WORKER_SETTINGS)


def _check(settings: Settings) -> None:
    if not settings.bus_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(
            f"{flag_and_variable('bus_url')}: a worker needs the nodes' Redis (redis://HOST:PORT)"
        )
    if not settings.recognition_worker_token:
        raise SettingsError(
            f"{flag_and_variable('recognition_worker_token')}: a worker needs an API token of "
            "role camera ('posbon token create --role camera --name worker-1' on a node)"
        )


async def run(
    settings: Settings,
    args: argparse.Namespace,
    models: Callable[[Settings], Awaitable[ModelPaths]],
) -> int:
    from recognition import providers  # noqa: PLC0415  (heavy imports, this command only)
    from recognition.engine import Recognizer  # noqa: PLC0415
    from recognition.plate_format import GRAMMARS  # noqa: PLC0415
    from server.recognition.worker import Worker, WorkerConfig, default_name  # noqa: PLC0415

    _check(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per report
    paths = await models(settings)
    chosen = providers.choose(await asyncio.to_thread(providers.available))
    recognizer = Recognizer(
        paths,
        intra_op_threads=settings.recognition_threads,
        min_face_px=settings.recognition_min_face_px,
        face_detect_px=settings.recognition_face_detect_px,
        plate_grammar=GRAMMARS[settings.plate_grammar],
        providers=chosen,
    )
    await asyncio.to_thread(recognizer.warm_up)
    config = WorkerConfig(
        name=args.name or default_name(),
        bus_url=settings.bus_url,
        api_url=settings.recognition_api_url,
        token=settings.recognition_worker_token,
        lease_s=settings.recognition_worker_lease_s,
        batch_max=settings.recognition_worker_batch_max,
        frame_max_age_s=settings.recognition_frame_max_age_s,
        stream_max=settings.recognition_stream_max,
    )
    logger.info(
        "recognition worker %s: models on %s, reporting to %s",
        config.name,
        chosen[0],
        config.api_url,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await Worker(config, recognizer).run(stop)
    logger.info("recognition worker %s stopped", config.name)
    return 0
