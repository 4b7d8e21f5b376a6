"""The camera registry: cameras, their settings and the shape of a frame's result.

Below server.recognition: it may import the `recognition` library but never server.recognition,
which reads the registry to run the pull workers and analyse frames. What the registry needs back
from the runtime (a wake-up on change, the per-camera figures, a pushed frame's analysis) is the
``CameraRuntime`` protocol, filled by the app's ``recognition`` dependency.
"""
