"""Which onnxruntime execution providers the models run on: the best one present, CPU last.

A worker on a machine with an NVIDIA GPU and onnxruntime-gpu gets CUDA; one with the OpenVINO
build gets OpenVINO (Intel CPUs, iGPUs and NPUs); everything else the CPU. CPU always stays in the
list, so a node that a GPU provider cannot serve (an operator the provider lacks) falls back to it.
Providers that only forward to a remote service (Azure) are never chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

CPU: Final = "CPUExecutionProvider"
PREFERENCE: Final = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "OpenVINOExecutionProvider",
    "DmlExecutionProvider",
    "CoreMLExecutionProvider",
)


def choose(available: Iterable[str]) -> tuple[str, ...]:
    """The providers to ask for, best first: the best accelerator present, then the CPU."""
    present = set(available)
    for name in PREFERENCE:
        if name in present:
            return (name, CPU)
    return (CPU,)


def available() -> tuple[str, ...]:
    """What this onnxruntime build offers (imports onnxruntime)."""
    import onnxruntime  # noqa: PLC0415  (heavy: only when models are about to load)

    return tuple(str(name) for name in onnxruntime.get_available_providers())
