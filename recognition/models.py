"""Where the prepared model files are: the one thing about models that the runtime needs to know.

The files are made by ``recognition.modelprep`` (found in wheels, verified, converted for
onnxruntime), a build step the runtime never imports: ``posbon models prepare`` runs it, and the
server runs it once on first use. What comes back is a ``ModelPaths``, which ``engine.Recognizer``
loads from; any path to four ready ONNX files will do, so a test or a deployment with its own
copies needs no preparation code at all.
"""

from pathlib import Path

import msgspec


class ModelPaths(msgspec.Struct, frozen=True):
    """One ready ONNX file per pipeline stage, fp32 in and out."""

    face_detector: Path
    face_embedder: Path
    plate_detector: Path
    plate_reader: Path
