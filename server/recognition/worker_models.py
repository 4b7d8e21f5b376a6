"""A worker's model calls for a batch of frames from several cameras (runs in one thread).

Faces are detected frame by frame (the detector's input is one frame), then every face of the
batch wide enough to match, whatever its camera, is aligned and embedded in ONE embedder call:
with several cameras showing people, that call is where batching pays (one session run instead of
one per frame). Plates are read per frame. Nothing is matched here: the node holds the lists.
"""

from __future__ import annotations

import msgspec
import numpy as np

from recognition.engine import Recognizer
from recognition.errors import ImageError
from recognition.faces import Face, ImageArray, align_face, as_bgr
from recognition.images import decode_image
from recognition.plates import PlateReading
from recognition.runner import FloatArray
from server.recognition.cluster import WorkerFace
from server.watchlists.index import to_bytes


class FrameJob(msgspec.Struct, frozen=True, kw_only=True):
    jpeg: bytes
    faces: bool
    plates: bool


class Findings(msgspec.Struct, frozen=True, kw_only=True):
    faces: list[WorkerFace] = msgspec.field(default_factory=list)
    plates: list[PlateReading] = msgspec.field(default_factory=list)
    error: str = ""


def _decoded(job: FrameJob) -> ImageArray | str:
    try:
        return as_bgr(decode_image(job.jpeg))
    except ImageError as err:
        return str(err)


def analyse_batch(recognizer: Recognizer, jobs: list[FrameJob]) -> list[Findings]:
    """What the models find in each frame, in the order given."""
    images = [_decoded(job) for job in jobs]
    found: list[list[Face]] = [[] for _ in jobs]
    aligned: list[ImageArray] = []
    owners: list[tuple[int, int]] = []  # (frame, face) of each aligned face
    vectors: list[FloatArray] = []
    if any(job.faces for job in jobs):
        detector, embedder = recognizer.face_pipeline()
        for index, (job, image) in enumerate(zip(jobs, images, strict=True)):
            if not job.faces or isinstance(image, str):
                continue
            found[index] = detector.detect(image)
            for position, face in enumerate(found[index]):
                if face.width_px >= recognizer.min_face_px:
                    aligned.append(align_face(image, np.asarray(face.landmarks, np.float32)))
                    owners.append((index, position))
        vectors = list(embedder.embed_aligned(aligned))
    embeddings = {owner: to_bytes(v) for owner, v in zip(owners, vectors, strict=True)}
    results = []
    for index, (job, image) in enumerate(zip(jobs, images, strict=True)):
        if isinstance(image, str):
            results.append(Findings(error=image))
            continue
        faces = [
            WorkerFace(face, embeddings.get((index, position)))
            for position, face in enumerate(found[index])
        ]
        plates = recognizer.plates(image) if job.plates else []
        results.append(Findings(faces=faces, plates=plates))
    return results
