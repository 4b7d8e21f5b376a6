"""Frames in, detections out: faces against watchlists, licence plates against lists.

The modules at this level are the runtime, what `posbon serve` needs to recognise a frame; they
load the model files a ``models.ModelPaths`` names. Two subpackages sit beside it and are never
imported by it: ``modelprep`` makes those files at set-up, ``evaluation`` measures accuracy and
speed on photo sets (import-linter contracts in pyproject.toml).
"""
