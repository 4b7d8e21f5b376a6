"""Routes of the review of recognition alerts and of the rates a face threshold implies."""

from typing import Annotated

from litestar import Response, Router, get, post
from litestar.params import QueryParameter

from server.auth.guards import allow, principal_of
from server.auth.schemas import Role
from server.auth.scope import alert_reach
from server.http_params import AnyRequest, JSONBody, Limit, PathId
from server.recognition import review
from server.recognition.review import (
    QueueStatus,
    Recognition,
    ReviewIn,
    ReviewOutcome,
    ThresholdRates,
)
from server.recognition.runtime import RecognitionDep

REVIEWERS = allow(Role.ADMIN, Role.DISPATCHER)
Status = Annotated[
    QueueStatus,
    QueryParameter(description="unreviewed: only alerts with no verdict; all: every one."),
]


@get(
    "/recognitions/recent",
    **REVIEWERS,
    summary="The latest face and plate alerts, for review",
    description="Newest first: camera, time, person or plate, score, watchlist or plate list, "
    "the crop's URL and the verdict in force (null before one is given). ?status=unreviewed "
    "(the default) lists only alerts with no verdict; ?status=all lists every one.",
)
async def recent_recognitions(
    request: AnyRequest,
    recognition: RecognitionDep,
    status: Status = QueueStatus.UNREVIEWED,
    limit: Limit = 50,
) -> list[Recognition]:
    within = alert_reach(principal_of(request).scope)
    return await review.recent(recognition.db, status, limit, within)


@post(
    "/recognitions/{alert_id:int}/review",
    **REVIEWERS,
    summary="Mark a recognition alert correct or wrong",
    description="201 when the verdict is stored, 200 when the same verdict was already in force "
    "(nothing changes). A different verdict replaces the one in force and both stay in the "
    "history and on the incident's timeline. 'wrong' on a face match adds the alert's face as a "
    "negative example of the matched person, so the same face stops matching them; 'correct' "
    "afterwards removes that negative example again. 'wrong' on a possible plate match remembers "
    "the reading as not that list entry, so it stops raising possible alerts for it; 'correct' "
    "afterwards forgets it. 'wrong' on an exact plate match teaches nothing (the plate was read "
    "right: check the list entry). The review's `taught` says which: negative_example, "
    "not_this_plate or nothing. 422 not_a_recognition for other alerts.",
)
async def review_recognition(
    request: AnyRequest, recognition: RecognitionDep, alert_id: PathId, data: JSONBody[ReviewIn]
) -> Response[ReviewOutcome]:
    outcome = await review.review(recognition, alert_id, data, principal_of(request))
    return Response(outcome, status_code=201 if outcome.changed else 200)


@get(
    "/watchlists/threshold-rates",
    **REVIEWERS,
    summary="The false-match and true-match rate of each face threshold",
    description="Measured once with the real models on the labelled faces of the repository "
    "(different-person and same-person photo pairs inside each face set; counts included), in "
    "steps of 0.01: what moving a watchlist's threshold slider implies.",
)
async def threshold_rates() -> ThresholdRates:
    return review.threshold_rates()


router = Router(
    path="/api/v1",
    route_handlers=[recent_recognitions, review_recognition, threshold_rates],
    tags=["recognition review"],
)
