"""The recognition commands of `posbon`: models prepare, watchlist import, plates import,
recognition eval. Heavy modules (OpenCV, onnxruntime) load only when one of them runs."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from server.audit.log import cli_actor
from server.imports import BadEncodingError, ImportReport, decode_csv
from server.recognition import worker_cli
from server.settings import Settings, SettingsError, flag_and_variable
from server.settings_flags import DATABASE, MODELS, RECOGNIZER, add_arguments

if TYPE_CHECKING:
    from recognition.models import ModelPaths
    from server.recognition.runtime import Recognition

COMMANDS = frozenset({"models", "watchlist", "plates", "recognition"})


def add_commands(commands: Any) -> None:
    models = commands.add_parser("models", help="recognition model files")
    prepare = models.add_subparsers(dest="action", required=True).add_parser(
        "prepare", help="extract, verify and convert the models into the data directory"
    )
    add_arguments(prepare, MODELS)
    watchlist = commands.add_parser("watchlist", help="manage watchlists")
    folder = watchlist.add_subparsers(dest="action", required=True).add_parser(
        "import", help="enrol a folder of photos: one sub-folder per person, named after them"
    )
    folder.add_argument("folder", type=Path)
    folder.add_argument("--watchlist", default="default", help="watchlist name (created if new)")
    folder.add_argument("--threshold", type=float, default=None, help="for a new watchlist")
    add_arguments(folder, (*DATABASE, *RECOGNIZER, "recognition_queue_max"))
    plates = commands.add_parser("plates", help="manage plate lists")
    sheet = plates.add_subparsers(dest="action", required=True).add_parser(
        "import", help="import plates from a CSV file (columns: plate, note)"
    )
    sheet.add_argument("file", type=Path)
    sheet.add_argument("--list", required=True, help="plate list name (created if new)")
    sheet.add_argument("--kind", choices=["wanted", "own"], default="wanted")
    sheet.add_argument("--site-id", type=int, default=None, help="site of a new list")
    sheet.add_argument("--skip-invalid", action="store_true")
    add_arguments(sheet, DATABASE)  # plate lists need no model
    recognition = commands.add_parser(
        "recognition", help="recognition accuracy and speed; external recognition workers"
    )
    actions = recognition.add_subparsers(dest="action", required=True)
    evaluate = actions.add_parser(
        "eval", help="accuracy on labelled photos (plates/*/ and faces/*/ under DIR) and speed"
    )
    evaluate.add_argument(
        "folder", type=Path, nargs="?", help="the photo sets (left out: where to get them)"
    )
    evaluate.add_argument("--repeats", type=int, default=20, help="timed runs per stage")
    add_arguments(evaluate, RECOGNIZER)  # no database: photos in, figures out
    worker_cli.add_parser(actions)


def _advance(bar: tqdm[Any]) -> Callable[[int], None]:
    def advance(count: int) -> None:
        bar.update(count)

    return advance


def run(args: argparse.Namespace, settings: Settings) -> Coroutine[Any, Any, int]:
    match args.command:
        case "models":
            return _prepare(settings)
        case "watchlist":
            return _import_watchlist(settings, args.folder, args.watchlist, args.threshold)
        case "plates":
            return _import_plates(settings, args)
        case "recognition" if args.action == "worker":
            return worker_cli.run(settings, args, _models)
        case _:
            return _evaluate(settings, args.folder, args.repeats)


async def _prepare(settings: Settings) -> int:
    from recognition.errors import ModelError  # noqa: PLC0415  (heavy imports, this command only)
    from server.recognition.runtime import prepare  # noqa: PLC0415

    with tqdm(total=1, unit="model", desc="preparing models", file=sys.stderr) as bar:

        def progress(step: str, done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(step)

        try:
            paths = await asyncio.to_thread(prepare, settings, progress)
        except ModelError as err:
            bar.close()
            raise SettingsError(f"{flag_and_variable('model_wheel_dir')}: {err}") from err
        except OSError as err:
            bar.close()
            raise SettingsError(
                f"{flag_and_variable('model_dir')}: the models cannot be written ({err}); "
                "choose a directory this user may write"
            ) from err
    for name in paths.__struct_fields__:
        print(f"{name}: {getattr(paths, name)}")
    return 0


async def _models(settings: Settings) -> ModelPaths:
    """The prepared models, or a SettingsError saying how to prepare them."""
    from recognition.errors import ModelError  # noqa: PLC0415
    from server.recognition.runtime import prepare  # noqa: PLC0415

    try:
        return await asyncio.to_thread(prepare, settings)
    except ModelError as err:
        raise SettingsError(
            f"{flag_and_variable('model_dir')}: the recognition models are not ready ({err}); "
            "run 'posbon models prepare' ('make setup' runs it) with the same --data-dir and "
            "--model-dir, or point --model-dir at prepared models"
        ) from err


@contextlib.asynccontextmanager
async def _recognition(settings: Settings) -> AsyncIterator[Recognition]:
    """The database and a running frame pump, for a command's lifetime."""
    from server.db import open_database  # noqa: PLC0415
    from server.recognition.runtime import Recognition  # noqa: PLC0415
    from sync.hlc import HybridClock  # noqa: PLC0415

    db = await open_database(settings)
    # A command's own process holds no node's clock; the server's sync writes stamp after every
    # stamp an entity holds (server/sync/writes.py), so a clock of its own is safe.
    rec = Recognition(settings, db, HybridClock())
    pump = asyncio.create_task(rec.pump.run())
    try:
        yield rec
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump
        await rec.pump.close()
        await db.close()


async def _import_watchlist(
    settings: Settings, folder: Path, watchlist: str, threshold: float | None
) -> int:
    from server.watchlists.imports import import_folder, photos_by_person  # noqa: PLC0415

    if not await asyncio.to_thread(folder.is_dir):
        print(f"posbon: {folder} is not a folder", file=sys.stderr)
        return 2
    total = len(await asyncio.to_thread(photos_by_person, folder))
    await _models(settings)  # before the database opens: a missing model says so in one line
    async with _recognition(settings) as rec:
        with tqdm(total=total, unit="photo", desc="enrolling", file=sys.stderr) as bar:
            report = await import_folder(
                rec,
                folder,
                watchlist,
                actor=cli_actor(),
                threshold=threshold,
                progress=_advance(bar),
            )
    for problem in report.problems:
        print(f"{problem.path}: {problem.reason}", file=sys.stderr)
    print(
        f"watchlist {watchlist!r} (id {report.watchlist_id}): {report.enrolled} photos of "
        f"{report.persons} persons enrolled, {report.already_enrolled} already enrolled, "
        f"{len(report.problems)} with no usable face"
    )
    return 0 if report.enrolled + report.already_enrolled else 1


async def _import_plates(settings: Settings, args: argparse.Namespace) -> int:

    try:
        text = decode_csv(await asyncio.to_thread(args.file.read_bytes))
    except BadEncodingError as err:
        report = err.report()
    else:
        report = await _import_plate_rows(settings, args, text)
    for rejected in report.rejected:
        print(f"{args.file}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    print(report.detail)
    return 0 if report.applied else 1


async def _import_plate_rows(
    settings: Settings, args: argparse.Namespace, text: str
) -> ImportReport:
    from server.plates import repository, service  # noqa: PLC0415
    from server.plates.schemas import PlateListIn, PlateListKind  # noqa: PLC0415

    actor = cli_actor()
    async with _recognition(settings) as rec:
        found = await repository.find_list_by_name(rec.db, args.list)
        if found is None:
            body = PlateListIn(name=args.list, kind=PlateListKind(args.kind), site_id=args.site_id)
            found = await service.create_list(rec, body, actor=actor)
        rows = max(0, text.count("\n") - 1)
        with tqdm(total=rows, unit="row", desc="importing plates", file=sys.stderr) as bar:
            return await service.import_entries(
                rec,
                found.id,
                text,
                skip_invalid=args.skip_invalid,
                progress=_advance(bar),
                actor=actor,
            )


async def _evaluate(settings: Settings, folder: Path | None, repeats: int) -> int:
    from recognition.evaluation import benchmark  # noqa: PLC0415

    if folder is None or not any(await asyncio.to_thread(benchmark.photo_sets, folder)):
        said = "no folder given" if folder is None else f"no photo sets in {folder}"
        print(f"posbon: {said}\n{benchmark.WHERE_TO_GET_SETS}", file=sys.stderr)
        return 2
    paths = await _models(settings)
    options = benchmark.Options(
        intra_op_threads=settings.recognition_threads,
        min_face_px=settings.recognition_min_face_px,
        face_detect_px=settings.recognition_face_detect_px,
        repeats=repeats,
    )
    with tqdm(unit="photo", desc="evaluating", file=sys.stderr) as bar:
        report = await asyncio.to_thread(benchmark.run, paths, folder, options, bar.update)
    print(benchmark.render(report))
    return 0
