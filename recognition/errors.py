"""Errors of the recognition package.

RecognitionError
├── ModelError   a model file is missing, damaged or of the wrong version (set-up's fault)
└── ImageError   an input image cannot be decoded or has the wrong shape (the caller's fault)
"""


class RecognitionError(Exception):
    """Base of every error this package raises."""


class ModelError(RecognitionError):
    """A model file is missing, does not match its pinned hash, or cannot be loaded."""


class ImageError(RecognitionError):
    """An image could not be decoded or is not an 8-bit BGR/grey picture."""
