"""Read a PyTorch checkpoint (``.pt`` zip) into plain Python and numpy, without torch.

Theory of operation. A ``torch.save`` file is a zip: ``<name>/data.pkl`` pickles the object tree
and each tensor's bytes lie in ``<name>/data/<key>``. Unpickling normally imports and calls
whatever the pickle names, which makes a checkpoint executable code. Here ``find_class`` answers
every global from a short allow-list instead:

- torch/ultralytics/omegaconf classes become ``Recorded`` stand-ins: plain objects that only keep
  the constructor arguments and the state (``__dict__``) the pickle gives them, so a module keeps
  ``_modules``, ``_parameters``, ``_buffers`` and attributes such as ``stride`` or ``groups``;
- ``torch._utils._rebuild_tensor_v2`` / ``_rebuild_parameter`` rebuild numpy arrays from the
  storages that ``persistent_load`` reads out of the zip (dtype from the storage class);
- a few builtins (dict, set, OrderedDict, ``torch.Size`` as a tuple) behave as themselves.

Any other global is refused, so no code named by the file ever runs.
"""

import pickle
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final, Literal

import numpy as np
import numpy.typing as npt

from recognition.errors import ModelError

AnyArray = npt.NDArray[Any]
ByteOrder = Literal["<", ">"]

STORAGE_DTYPES: Final = {
    "HalfStorage": np.float16,
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "BFloat16Storage": None,  # numpy has no bfloat16: refused with a clear message
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
RECORDED_MODULE_PREFIXES: Final = ("torch.nn.modules.", "ultralytics.", "omegaconf.")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Recorded:
    """Stand-in for a class named by the pickle: remembers its arguments and state, nothing else."""

    qualified_name: str = ""
    args: tuple[Any, ...] = ()

    def __init__(self, *args: Any) -> None:
        self.args = args

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise ModelError(f"{self.qualified_name}: unexpected pickled state {type(state)}")
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes the pickle did not set: say which, for the converter's
        # error message (callers turn AttributeError into ModelError).
        raise AttributeError(f"{self.qualified_name} has no attribute {name!r}")

    @property
    def class_name(self) -> str:
        return self.qualified_name.rsplit(".", 1)[-1]


class StorageRef:
    """A dtype marker standing for ``torch.<X>Storage`` in a persistent id."""

    def __init__(self, name: str) -> None:
        self.name = name


class _TypingAny:
    """What ``typing.Any`` unpickles to (omegaconf metadata names it)."""


def _rebuild_tensor(
    storage: AnyArray,
    offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    *_ignored: Any,
) -> AnyArray:
    """A copy of the strided view torch would build on ``storage``; bounds are checked first."""
    if any(n < 0 for n in size) or any(s < 0 for s in stride) or offset < 0:
        raise ModelError(f"tensor with negative size/stride/offset: {size} {stride} {offset}")
    if 0 in size:
        return np.zeros(size, storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= storage.size:
        raise ModelError(f"tensor reaches element {last} of a storage of {storage.size}")
    base = storage[offset:]
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        base, shape=size, strides=tuple(s * itemsize for s in stride), writeable=False
    )
    return np.array(view)


def _rebuild_parameter(data: AnyArray, *_ignored: Any) -> AnyArray:
    return data


def _defaultdict(*_factory: Any) -> dict[Any, Any]:
    return {}  # never call the pickled factory: a plain dict is all a reader needs


class _Unpickler(pickle.Unpickler):
    def __init__(
        self, stream: IO[bytes], archive: zipfile.ZipFile, prefix: str, order: ByteOrder
    ) -> None:
        super().__init__(stream)
        self._archive, self._prefix, self._order = archive, prefix, order
        self._storages: dict[str, AnyArray] = {}
        self._stand_ins: dict[str, type[Recorded]] = {}

    def find_class(self, module: str, name: str) -> Any:
        allowed: dict[tuple[str, str], Callable[..., Any] | type | object] = {
            ("collections", "OrderedDict"): OrderedDict,
            ("collections", "defaultdict"): _defaultdict,
            ("builtins", "set"): set,
            ("builtins", "dict"): dict,
            ("typing", "Any"): _TypingAny,
            ("torch", "Size"): tuple,
            ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        }
        module = "builtins" if module == "__builtin__" else module
        if (module, name) in allowed:
            return allowed[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageRef(name)
        if module.startswith(RECORDED_MODULE_PREFIXES) and _IDENTIFIER.fullmatch(name):
            return self._stand_in(f"{module}.{name}")
        raise ModelError(f"checkpoint names {module}.{name}, which this reader does not allow")

    def _stand_in(self, qualified_name: str) -> type[Recorded]:
        if qualified_name not in self._stand_ins:
            short = qualified_name.rsplit(".", 1)[-1]
            self._stand_ins[qualified_name] = type(
                short, (Recorded,), {"qualified_name": qualified_name}
            )
        return self._stand_ins[qualified_name]

    def persistent_load(self, pid: Any) -> AnyArray:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise ModelError(f"unexpected persistent id in checkpoint: {pid!r}")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, StorageRef) or STORAGE_DTYPES[kind.name] is None:
            raise ModelError(f"unsupported tensor storage {kind!r}")
        if key not in self._storages:
            dtype = np.dtype(STORAGE_DTYPES[kind.name]).newbyteorder(self._order)
            raw = self._archive.read(f"{self._prefix}/data/{key}")
            array = np.frombuffer(raw, dtype=dtype)
            if array.size < int(numel):
                raise ModelError(f"storage {key} holds {array.size} elements, expected {numel}")
            self._storages[key] = array.astype(dtype.newbyteorder("="))
        return self._storages[key]


def load_checkpoint(path: Path) -> Any:
    """The unpickled object tree of a ``torch.save`` zip file, tensors as numpy arrays."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if len(pickles) != 1:
                raise ModelError(f"{path} is not a torch checkpoint (no single */data.pkl)")
            prefix = pickles[0].removesuffix("/data.pkl")
            names = set(archive.namelist())
            order_file = f"{prefix}/byteorder"
            order = archive.read(order_file).decode() if order_file in names else "little"
            byte_order: ByteOrder = "<" if order.strip() == "little" else ">"
            with archive.open(pickles[0]) as stream:
                return _Unpickler(stream, archive, prefix, byte_order).load()
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError) as err:
        raise ModelError(f"cannot read checkpoint {path}: {err}") from err
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        # A well-formed pickle whose objects are not shaped like torch's (missing storage file,
        # wrong argument types): still the file's fault, not a bug here.
        raise ModelError(f"checkpoint {path} is malformed: {err}") from err
