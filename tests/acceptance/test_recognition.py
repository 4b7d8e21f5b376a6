"""Face ID and Number ID through the shipped process: a camera's token posts a plate photo and a
face photo from tests/data to the recognition endpoints, and the models `make setup` prepared
read the plate off a wanted list and name the enrolled person."""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.support import ServedPosbon
from tests.datafiles import EU_PLATES, OBAMA, OBAMA_AGAIN

pytestmark = pytest.mark.acceptance
PLATE_PHOTO = EU_PLATES / "eu1.jpg"
MODELS_TIMEOUT_S = 120.0  # the first request loads every model


def plate_on(photo_name: str) -> str:
    """The ground truth beside the photos: `file x y width height PLATE` per line."""
    for path in EU_PLATES.glob("*.txt"):
        fields = path.read_text(encoding="utf-8").split()
        if fields and fields[0] == photo_name:
            return fields[-1]
    raise AssertionError(f"no ground truth for {photo_name}")


async def created(served: ServedPosbon, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with served.api(served.token("admin")) as admin:
        answer = await admin.post(path, json=body)
    assert answer.status_code == 201, served.explain(f"{path}: {answer.text}")
    made: dict[str, Any] = answer.json()
    return made


async def test_a_wanted_plate_and_an_enrolled_face_are_recognised_for_a_camera(
    served: ServedPosbon,
) -> None:
    wanted = await created(served, "/api/v1/plates/lists", {"name": "stolen", "kind": "wanted"})
    entries = f"/api/v1/plates/lists/{wanted['id']}/entries"
    await created(served, entries, {"plate": plate_on(PLATE_PHOTO.name)})
    watchlist = await created(served, "/api/v1/watchlists", {"name": "wanted persons"})
    persons = f"/api/v1/watchlists/{watchlist['id']}/persons"
    person = await created(served, persons, {"name": "Barack Obama"})
    async with served.api(served.token("admin"), timeout_s=MODELS_TIMEOUT_S) as admin:
        enrolled = await admin.post(f"{persons}/{person['id']}/photos", content=OBAMA.read_bytes())
    assert enrolled.status_code == 201, served.explain(enrolled.text)

    async with served.api(served.token("camera"), timeout_s=MODELS_TIMEOUT_S) as camera:
        plates = await camera.post("/api/v1/recognition/plates", content=PLATE_PHOTO.read_bytes())
        faces = await camera.post("/api/v1/recognition/faces", content=OBAMA_AGAIN.read_bytes())

    assert plates.status_code == 200, served.explain(plates.text)
    assert plates.json()["plates"][0]["list"] == "wanted", plates.text
    assert faces.status_code == 200, served.explain(faces.text)
    matches = [face["match"] for face in faces.json()["faces"] if face["match"]]
    assert [(m["person_id"], m["name"]) for m in matches] == [(person["id"], "Barack Obama")]
