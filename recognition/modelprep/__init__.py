"""Build-time model preparation: turn the model files shipped in wheels into the ONNX copies the
runtime loads (find and verify the sources, edit ONNX graphs, convert a PyTorch checkpoint
without torch).

Belongs here: whatever reads or writes model files to make them ready; it needs ``onnx``, which
the runtime does not. Its one output is a ``recognition.models.ModelPaths``.

Must not import it: the runtime modules of ``recognition`` (engine, pipelines, frames, cameras,
watchlist, ...) and ``recognition.evaluation``; they take a ``ModelPaths`` and never build models
(import-linter contract in pyproject.toml). The callers are the ``posbon models prepare`` command,
the server's load-on-first-use (``server.recognition.runtime.prepare``), bench and tests.
"""
