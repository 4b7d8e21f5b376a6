"""The one place that touches onnxruntime.

Every model of the package runs through ``ModelRunner``: fp32 arrays in, fp32 arrays out, in the
order the model declares its outputs. Threads are set explicitly and spinning is off, because
several models (and the server's event loop) share a small machine: a spinning idle thread pool
would burn a core that the next model needs.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import onnxruntime

from recognition.errors import ModelError

FloatArray = npt.NDArray[np.float32]

DEFAULT_INTRA_OP_THREADS: Final = 1


class ModelRunner:
    """A loaded model; ``run`` is safe to call from one thread at a time per runner."""

    def __init__(
        self,
        path: Path,
        *,
        intra_op_threads: int = DEFAULT_INTRA_OP_THREADS,
        providers: Sequence[str] = ("CPUExecutionProvider",),
    ) -> None:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: shape-inference notes are not news
        try:
            self._session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=list(providers)
            )
        except Exception as err:  # onnxruntime raises its own untyped exceptions
            raise ModelError(f"cannot load model {path}: {err}") from err
        self.path: Final = path
        self.input_names: Final = tuple(str(i.name) for i in self._session.get_inputs())
        self.input_shapes: Final = tuple(
            tuple(d if isinstance(d, int) else None for d in i.shape)
            for i in self._session.get_inputs()
        )
        self.output_names: Final = tuple(str(o.name) for o in self._session.get_outputs())
        metadata = self._session.get_modelmeta().custom_metadata_map
        self.metadata: Final[dict[str, str]] = {str(k): str(v) for k, v in metadata.items()}

    def run(self, inputs: Mapping[str, FloatArray]) -> list[FloatArray]:
        """Run the model; outputs come back as fp32 arrays in declaration order."""
        feeds = {name: np.ascontiguousarray(array) for name, array in inputs.items()}
        outputs = self._session.run(None, feeds)
        return [np.asarray(output, dtype=np.float32) for output in outputs]
