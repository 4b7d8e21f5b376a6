"""Write tiny checkpoints in ``torch.save``'s zip layout without torch, for the reader's tests.

The pickle names the same globals a real checkpoint does (``torch._utils._rebuild_tensor_v2``,
``torch.HalfStorage``, ``ultralytics.nn.modules.Conv`` ...). Python's pickler only writes a
global it can import, so stand-in modules are put into ``sys.modules`` while dumping, and taken
out again afterwards.
"""

import contextlib
import io
import pickle
import sys
import types
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

STORAGE_NAMES = {np.dtype(np.float16): "HalfStorage", np.dtype(np.float32): "FloatStorage"}


class FakeStorage:
    def __init__(self, key: str, flat: npt.NDArray[Any]) -> None:
        self.key, self.flat = key, flat


class FakeModule:
    """Pickled like an nn.Module: its class by name, then its ``__dict__`` as state."""


class FakeTensor:
    def __init__(self, storage: FakeStorage, offset: int, shape: tuple[int, ...], stride: Any):
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        rebuild = sys.modules["torch._utils"]._rebuild_tensor_v2
        hooks: OrderedDict[str, Any] = OrderedDict()
        args = (self.storage, self.offset, self.shape, self.stride, False, hooks)
        return rebuild, args


class CheckpointWriter:
    """Collects tensors and module classes, then writes the zip."""

    def __init__(self) -> None:
        self.storages: list[FakeStorage] = []
        self.classes: dict[str, type[FakeModule]] = {}

    def tensor(self, array: npt.NDArray[Any]) -> FakeTensor:
        contiguous = np.ascontiguousarray(array)
        storage = FakeStorage(str(len(self.storages)), contiguous.ravel())
        self.storages.append(storage)
        strides = tuple(s // contiguous.itemsize for s in contiguous.strides)
        return FakeTensor(storage, 0, contiguous.shape, strides)

    def module(self, qualified_name: str, **state: Any) -> FakeModule:
        if qualified_name not in self.classes:
            module_name, name = qualified_name.rsplit(".", 1)
            self.classes[qualified_name] = type(name, (FakeModule,), {"__module__": module_name})
        instance = self.classes[qualified_name]()
        instance.__dict__.update(state)
        return instance

    def write(self, path: Path, root: Any, prefix: str = "archive") -> Path:
        buffer = io.BytesIO()
        with _fake_modules(self.classes):
            pickler = _Pickler(buffer, protocol=2)
            pickler.dump(root)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"{prefix}/data.pkl", buffer.getvalue())
            archive.writestr(f"{prefix}/byteorder", "little")
            for storage in self.storages:
                archive.writestr(f"{prefix}/data/{storage.key}", storage.flat.tobytes())
        return path


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, FakeStorage):
            kind = getattr(sys.modules["torch"], STORAGE_NAMES[obj.flat.dtype])
            return ("storage", kind, obj.key, "cpu", obj.flat.size)
        return None


def _rebuild_tensor_v2(*args: Any) -> None:
    del args


@contextlib.contextmanager
def _fake_modules(classes: dict[str, type[FakeModule]]) -> Iterator[None]:
    modules: dict[str, types.ModuleType] = {}

    def ensure(name: str) -> types.ModuleType:
        for depth in range(1, name.count(".") + 2):
            prefix = ".".join(name.split(".")[:depth])
            modules.setdefault(prefix, types.ModuleType(prefix))
        return modules[name]

    torch = ensure("torch")
    for storage_name in STORAGE_NAMES.values():
        setattr(torch, storage_name, type(storage_name, (), {"__module__": "torch"}))
    ensure("torch._utils")._rebuild_tensor_v2 = _rebuild_tensor_v2  # type: ignore[attr-defined]
    _rebuild_tensor_v2.__module__ = "torch._utils"
    for qualified_name, cls in classes.items():
        setattr(ensure(cls.__module__), qualified_name.rsplit(".", 1)[1], cls)
    clashing = [name for name in modules if name in sys.modules]
    if clashing:
        raise RuntimeError(f"real modules {clashing} are imported: cannot fake them")
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name in modules:
            del sys.modules[name]
