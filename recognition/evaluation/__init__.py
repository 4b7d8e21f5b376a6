"""Evaluation: accuracy on labelled photo sets and latency per frame, for ``posbon recognition
eval``, bench/recognition_fps.py and the accuracy tests.

Belongs here: scoring (``accuracy``: verification, identification, plate scores, ground-truth
readers) and the runs that drive the runtime over photo sets (``benchmark``). It uses the runtime;
nothing it holds is needed to recognise a frame.

Must not import it: the runtime modules of ``recognition`` and ``recognition.modelprep``
(import-linter contract in pyproject.toml); in the server only the ``posbon recognition eval``
command does, lazily.
"""
