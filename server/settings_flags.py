"""Settings on the command line: one `--flag` per setting, with its `POSBON_*` variable and
default in the help, and the settings each command reads, so that `posbon COMMAND --help` lists
only the flags that change what that command does.

Every command still reads every `POSBON_*` variable (`settings.load`); a variable a command does
not use changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Final

import msgspec

from server.settings import ENV_PREFIX, bare_type, described_fields, flag_of, variable_of

LOGS: Final = ("log_level", "log_json")
DATABASE: Final = ("data_dir", "database_url", *LOGS)
EVIDENCE: Final = ("evidence_dir", "evidence_s3_url", "evidence_s3_endpoint", "evidence_s3_region")
MODELS: Final = ("data_dir", "model_dir", "model_wheel_dir", *LOGS)
"""Where the prepared recognition models are, or the wheels to prepare them from."""
RECOGNIZER: Final = (
    *MODELS,
    "recognition_threads",
    "recognition_min_face_px",
    "recognition_face_detect_px",
    "plate_grammar",
)
"""What loading the face and plate models reads (server.recognition.runtime)."""


def _help(field: msgspec.inspect.Field) -> str:
    text = ""
    if isinstance(field.type, msgspec.inspect.Metadata) and field.type.extra_json_schema:
        text = str(field.type.extra_json_schema.get("description", ""))
    if isinstance(bare_type(field.type), msgspec.inspect.BoolType):
        where = f"env {variable_of(field.name)}=true"
    else:
        default = "empty" if field.default == "" else field.default
        where = f"env {variable_of(field.name)}, default {default}"
    return f"{text} ({where})".replace("%", "%%")  # argparse formats help with %


def add_arguments(parser: argparse.ArgumentParser, names: Iterable[str] | None = None) -> None:
    """Register one `--flag` per setting in ``names`` (all when None); a flag left out stays
    `None`, so the environment, then the default, decides."""
    fields = described_fields()
    wanted = tuple(fields) if names is None else tuple(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in fields]
    if unknown:
        raise ValueError(f"not settings: {unknown}")
    group = parser.add_argument_group(
        "settings", f"each flag may instead be given as its {ENV_PREFIX}* variable; a flag wins"
    )
    for name in wanted:
        field = fields[name]
        if isinstance(bare_type(field.type), msgspec.inspect.BoolType):
            group.add_argument(flag_of(name), action="store_const", const="true", help=_help(field))
        else:
            group.add_argument(flag_of(name), default=None, help=_help(field))


def argv_flags(argv: Sequence[str]) -> argparse.Namespace:
    """Every setting's flag parsed from ``argv`` (for tools that start a server themselves)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))
