"""English: the sentences the server writes today, as templates (see server/messages/__init__.py).

A key is an error `code`, or `code.variant` for another sentence the same code is raised with.
Each template must read exactly as the raise site writes it, with `{name}` where the site puts a
per-call value; a detail that matches no template of its code is sent as it is.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "already_resolved": "Conflict {id} is already resolved.",
    "bad_characters": "The request holds a character that cannot be stored or searched for (a "
    "NUL byte); remove it and send the request again.",
    "bad_encoding": "Line {line} is not UTF-8 text, so nothing was imported.",
    "bad_header": "A required upload header is missing or malformed.",
    "bad_header.metadata": "Upload-Metadata must name the recording: 'recording_id <base64>'.",
    "bad_json": "The JSON body is nested too deeply to read; send a flatter document.",
    "bad_message": "The message is not one this socket reads.",
    "bad_request": "The request is malformed.",
    "checksum_mismatch": "The chunk's checksum does not match; it was discarded.",
    "conflict": "The request clashes with the current state.",
    "gone": "It is gone for good; asking again will not bring it back.",
    "conflict.entry": "That clashes with an existing entry: {reason}.",
    "conflict.change": "That change clashes with an existing entry: {reason}.",
    "crew_not_allowed": "Only crew tokens belong to a crew: leave out --crew, or use --role crew "
    "(this token's role is {role}).",
    "crew_off_duty": "Crew {crew} is off duty.",
    "crew_on_incident": "The crew is on an incident; its status follows that incident until it "
    "closes.",
    "crew_out_of_service": "Crew {crew} is out of service.",
    "crew_required": "A crew token belongs to one crew: add --crew CREW_ID (GET /api/v1/crews "
    "lists the crews and their ids).",
    "crew_unknown": "There is no crew with id {id}: import it first (posbon crews import) or give "
    "the id of an existing crew (GET /api/v1/crews lists them).",
    "database_unavailable": "Posbon cannot reach its database just now, so this request was not "
    "completed; send it again in a moment.",
    "details_too_deep": "The details object nests more than {depth} levels deep; flatten it.",
    "details_too_large": "The details object is {size} bytes as JSON; at most {limit} fit.",
    "device_not_yours": "Device {device} belongs to {owner}.",
    "empty_period": "since must be before until.",
    "evidence_store_unavailable": "The evidence store cannot be reached; nothing was changed.",
    "external_id_reused": "external_id {external_id} already names alert {alert}, which differs "
    "from this one; a retry must repeat the same alert, a new alert needs a new id.",
    "fault_drills_off": "Fault drills are off; start posbon with --fault-drills "
    "(POSBON_FAULT_DRILLS=true) to crash parts on purpose.",
    "forbidden": "This token's role may not do that.",
    "forbidden.role": "The {role} role may not do this; it needs: {roles}.",
    "gap": "Expected client_seq {expected}, received {received}.",
    "half_position": "Give both lat and lon, or neither.",
    "http_error": "The request failed.",
    "idempotency_key_reused": "op_id {op_id} was already used for a different request on this "
    "incident; send a new op_id for a new change.",
    "imported": "{count} rows imported.",
    "imported.skipped": "{count} rows imported; {skipped} invalid rows skipped.",
    "internal_error": "Posbon hit an internal error; it is logged.",
    "invalid_image": "The body is not a JPEG or PNG image.",
    "invalid_image.image": "The image cannot be used: {reason}.",
    "invalid_image.frame": "The frame cannot be used: {reason}.",
    "invalid_audit_action": "Give the action as lowercase words "
    "joined by dots, e.g. site. or site.update.",
    "invalid_plate_query": "Give the plate to search for as 2 to 16 letters or digits, "
    "e.g. 01 A 123 BC.",
    "invalid_key": "The device key is unusable: {reason}.",
    "invalid_message": "The body is not valid JSON or not the message this endpoint reads.",
    "invalid_request": "The request body or parameters are invalid: {reasons}",
    "invalid_transition": "Incident {id} is {status}; it cannot become {target}.",
    "message_too_long": "A message may hold at most {limit} characters.",
    "method_not_allowed": "This route does not accept that HTTP method.",
    "method_override": "X-HTTP-Method-Override {method} goes to /uploads/<id>.",
    "models_unavailable": "The recognition models are not ready: {reason}. Run 'posbon models "
    "prepare' (see the README).",
    "naive_time": "Give since and until with a time zone, e.g. 2026-11-01T00:00:00Z.",
    "no_image": "Send the image as the request body (image/jpeg).",
    "no_such_part": "No part named {name}; the parts are: {parts}.",
    "no_usable_face": "No face was found in the photo; send a photo in which the person's face "
    "is clearly visible.",
    "several_faces": "The photo shows {count} faces, so it is unclear whom to enrol; send a "
    "photo of this person alone.",
    "face_too_small": "The face in the photo is {width} px wide and enrolment needs at least "
    "{minimum} px; send a closer or larger photo of the face.",
    "face_too_blurred": "The face in the photo is too blurred to enrol (sharpness {sharpness}, "
    "at least {minimum} needed); send a sharp, well-focused photo.",
    "not_a_crew": "This token is not bound to a crew.",
    "invalid_report": "The report is not valid: {reason}.",
    "invalid_report.json": "The report is not JSON.",
    "report_too_large": "A report may be at most {limit} bytes.",
    "workers_not_external": "This node does not take worker reports: set "
    "recognition_workers=external (and a redis:// bus_url) to have external workers analyse its "
    "cameras.",
    "not_a_recognition": "Alert {id} is not a face or plate recognition and has no review.",
    "not_dispatchable": "Incident {id} is {status}; it cannot be dispatched.",
    "not_found": "No such resource; see /schema for the routes.",
    "not_found.incident": "There is no incident with id {id}.",
    "not_found.your_incident": "There is no incident with id {id} for you.",
    "not_found.in_scope": "There is nothing with {name} {id} within your reach.",
    "out_of_scope": "The scope of {name} does not cover this route; ask an administrator.",
    "scope_not_allowed": "--district, --camera and --watchlist narrow admin and dispatcher tokens "
    "only (this token's role is {role}).",
    "scope_not_allowed.empty": "--district needs a district's name.",
    "not_found.camera": "There is no camera with id {id}.",
    "not_found.plate_list": "There is no plate list with id {id}.",
    "not_found.plate_entry": "Plate list {list} has no entry with id {id}.",
    "not_found.custody_log": "Recording {id} has no custody log.",
    "not_found.evidence": "Recording {id} has no verified file yet.",
    "not_found.evidence_missing": "The evidence file of recording {id} is missing.",
    "not_your_incident": "Incident {id} is not assigned to this crew.",
    "not_your_recording": "Recording {id} was synced by another station or crew; only they may "
    "upload its file.",
    "not_your_upload": "This upload belongs to another station or tablet.",
    "offset_mismatch": "Upload-Offset {claimed} does not match the stored offset {stored}; send "
    "HEAD to learn where to resume.",
    "outcome_required": "Resolving needs an outcome.",
    "outcome_required.close": "Closing an incident as {target} needs an outcome.",
    "payload_too_large": "The request body is too large.",
    "payload_too_large.image": "An image may be at most {limit} bytes.",
    "range_not_satisfiable": "The requested byte range lies outside the file.",
    "recognition_busy": "Recognition is busy; send the frame again in a moment.",
    "recognition_unavailable": "Recognition is not available just now.",
    "recording_not_synced": "Recording {id} is unknown: sync its metadata first.",
    "recording_restricted": "Recording {id} is {access}: only an admin may open it.",
    "recording_verified": "Recording {id} already has a verified file; evidence is never replaced.",
    "refused": "The server refused the request.",
    "rejected": "The change was refused for good.",
    "rows_rejected": "{count} rows are invalid, so nothing was imported; fix them or pass "
    "skip_invalid to import the valid rows.",
    "scope_forbidden": "This device may not read scope {scope}.",
    "size_mismatch": "Upload-Length {length} differs from the synced size {size} of recording "
    "{id}.",
    "sync_error": "The sync request failed.",
    "account_locked": "Too many wrong passwords or codes: this account is locked; try again in "
    "{seconds} s.",
    "code_required": "This account needs the 6-digit code from its authenticator app.",
    "conflict.creating": "That account is being created; sign in again.",
    "cookie_not_session": "Only a signed-in session comes in the posbon_session cookie; send a "
    "token as 'Authorization: Bearer <token>'.",
    "csrf_failed": "This change came without the page's X-CSRF-Token header; reload the page.",
    "not_local_user": "{username} signs in through the identity provider; its password is kept "
    "there.",
    "password_too_short": "A password needs at least {count} characters.",
    "session_expired": "This session was unused for too long and has ended; sign in again.",
    "sign_in_failed": "The username, password or code is wrong.",
    "user_not_found": "There is no user named {username}.",
    "username_taken": "There is already a user named {username}.",
    "username_taken.local": "A local account is named {username}; the identity provider's person "
    "cannot take it over.",
    "token_invalid": "This token is unknown or revoked.",
    "token_missing": "No token was presented.",
    "token_missing.how": "Send 'Authorization: Bearer <token>'; create a token with 'posbon token "
    "create'.",
    "token_not_found": "There is no token with id {id}.",
    "too_large": "A push may carry at most {mutations} mutations and {bytes} bytes.",
    "too_large.upload": "Upload-Length {length} is over Tus-Max-Size {limit}.",
    "too_large.body": "The body goes past Upload-Length.",
    "too_many_failed_sign_ins": "Too many failed sign-ins came from this address; try again in "
    "{seconds} s.",
    "too_many_failed_tokens": "Too many unknown tokens came from this address; try again in "
    "{seconds} s.",
    "tus_error": "The upload request failed.",
    "tus_version": "Send Tus-Resumable: {version} (got {got}).",
    # Single sign-on (server/oidc).
    "oidc_bad_state": "This sign-in was not started here, or it was changed on the way; start it "
    "again from the sign-in page.",
    "oidc_bad_state.missing": "No sign-in was started in this browser (or its cookie was blocked); "
    "start it again from the sign-in page.",
    "oidc_bad_state.expired": "The sign-in took too long; start it again from the sign-in page.",
    "oidc_bad_state.code": "The identity provider sent no code; start the sign-in again from the "
    "sign-in page.",
    "oidc_no_role": "{username} is in no group that gives access to Posbon; ask an administrator "
    "to add one of your groups to the role map.",
    "oidc_not_configured": "Single sign-on is not set up on this server (--oidc-issuer).",
    "oidc_refused": "The identity provider refused the sign-in: {reason}.",
    "oidc_refused.check": "The sign-in was refused: {reason}.",
    "oidc_unavailable": "The city's identity provider cannot be used right now ({reason}); try "
    "again later.",
    "unauthorized": "Send 'Authorization: Bearer <token>'; create one with posbon token.",
    "unavailable": "Posbon cannot complete this request just now; send it again in a moment.",
    "unknown_schema_version": "Schema_version {version} is newer than this server's {newest}.",
    "unknown_site": "There is no site with id {id}.",
    "unknown_contact": "Contact {contact} is not on the list of incident {incident}'s site; pick "
    "a contact from who to call.",
    "not_found.contact": "There is no contact with id {id}.",
    "unprocessable": "The request is well-formed but cannot be carried out.",
    "unreachable": "The server cannot be reached.",
    "unsupported_media_type": "Send the body as application/json.",
    "upgrade_required": "Schema_version {version} is no longer supported; the oldest supported "
    "is {oldest}.",
    "upload_expired": "Upload {id} expired; start a new one.",
    "upload_finished": "A finished upload is evidence and cannot be deleted.",
    "upload_finished.state": "Upload {id} is already {state}.",
    "upload_not_found": "There is no upload {id}.",
    "wrong_content_type": "PATCH bodies must be {media_type}.",
    # Retention and legal hold (server/evidence/retention*, holds*)
    "evidence_deleted": "The evidence file of recording {id} was deleted at {at}: {reason}.",
    "evidence_deleted.under_way": "The retention of recording {id} has ended and its file is "
    "being deleted.",
    "hold_released": "Legal hold {id} was released already.",
    "hold_unknown": "There is no legal hold with id {id}.",
    "retention_category_exists": "Retention category {name} exists already; change it with PATCH.",
    "retention_category_shorter": "Retention category {name} cannot be made shorter; create a "
    "shorter category and move recordings into it (each needs a second person).",
    "retention_category_unknown": "There is no retention category {name}; GET "
    "/api/v1/evidence/retention/categories lists them.",
    "retention_nothing_pending": "Recording {id} has no shorter category waiting for confirmation.",
    "retention_same_person": "You asked for this shorter category yourself; a second person must "
    "confirm it.",
    "retention_unassigned": "Recording {id} has no verified file, so it has no retention yet.",
    # Evidence share links (server/evidence/sharing.py, share_routes.py)
    "share_target": "Name either recording_id or incident_id, not both and not neither.",
    "share_expiry": "expires_at must lie in the future and at most {days} days ahead.",
    "evidence_not_verified": "Recording {id} has no verified file yet, so there is nothing to "
    "share.",
    "share_nothing_to_share": "Incident {id} has no verified recording linked to it yet, so there "
    "is nothing to share.",
    "share_not_found": "This share link does not exist; ask whoever sent it for a new one.",
    "share_revoked": "This share link was revoked; ask whoever sent it for a new one.",
    "share_expired": "This share link expired; ask whoever sent it for a new one.",
    "share_locked": "Too many wrong PINs: this share link is locked until {until} UTC.",
    "share_pin_required": "This share link needs its PIN: open the link in a browser and enter it "
    "first.",
    "share_view_only": "This share link is for viewing only; it does not allow downloads.",
    "evidence_deleted.share": "The evidence file of recording {id} was deleted at the end of its "
    "retention period.",
    "evidence_missing": "The evidence file of recording {id} is missing.",
    "not_found.share": "There is no share with id {id}.",
    "not_found.share_item": "Recording {id} is not part of this share.",
    # Court packages (server/evidence/package*.py)
    "package_restricted": "Incident {id}'s evidence includes {ids}, which only an admin may open; "
    "ask an admin to export the package.",
    "evidence_altered": "The evidence file of recording {id} no longer has its recorded SHA-256; "
    "run 'posbon custody verify' and restore it from a copy.",
    # Redaction (server/evidence/redaction.py, redaction_files.py)
    "not_found.redaction_source": "Recording {id} has no verified file to redact.",
    "not_found.redaction": "There is no redaction {id}.",
    "not_found.redaction_frame": "Frame {number} is outside 0..{last}.",
    "not_found.evidence_file": "The evidence file {where} is missing.",
    "conflict.redaction_not_in_review": "Redaction {id} is {state}; boxes change and render starts "
    "only while it is in review.",
    "conflict.redaction_detecting": "Redaction {id} is still looking at the video.",
    "bad_request.duplicate_track": "Two tracks have the same track_id.",
    "bad_request.too_many_keyframes": "More than {limit} keyframes in all.",
    "bad_request.track_keyframes": "Track {track} needs keyframes, all inside its span and frames "
    "0..{last}.",
    "bad_request.box_outside": "A box of track {track} lies outside the picture.",
    # Action plans (server/plans)
    "not_found.plan": "There is no plan with id {id}.",
    "not_found.plan_version": "Plan {id} has no version {version}.",
    "not_found.incident_plan": "Incident {id} has no action plan.",
    "not_found.plan_step": "The action plan of incident {id} has no step {index}.",
    "plan_scope_both": "A plan covers one site or one site kind, not both: leave out site_kind "
    "or site_id.",
    "plan_scope_taken": "Plan {id} ({name}) already covers this alert kind and scope; change "
    "that plan or deactivate it first.",
    "plan_reason_required": "A {state} step needs a reason; say why in 'reason'.",
    "plan_incident_closed": "Incident {id} is closed; its action plan can no longer change.",
    "plan_no_open_steps": "Incident {id} has no required plan step open; close it as usual.",
    "plan_steps_open": "Incident {id} has required plan steps open: {steps}. Mark each done, "
    "skipped or failed, or close with an override reason.",
    "recipient_required": "Name exactly one recipient: contact_id (a contact of the incident's "
    "site) or duty_desk: true.",
    "duty_desk_not_configured": "No duty desk is set for {channel}: start posbon with {setting}.",
    "contact_not_of_site": "Contact {contact} is not a contact of this incident's site; GET "
    "/api/v1/incidents/{incident}/contacts lists them.",
    "contact_has_no_telegram": "Contact {contact} has no Telegram chat id; add one to the "
    "contact, or send an SMS.",
    "contact_has_no_phone": "Contact {contact} has no phone number; add one to the contact first.",
    "phone_not_of_contact": "{phone} is not a phone of contact {contact}; use one of its phones.",
    "sms_not_configured": "SMS notices are off: start posbon with --smpp-host (and "
    "--smpp-system-id, --smpp-password) naming the operator's SMPP gateway.",
    "telegram_not_configured": "Telegram notices are off: start posbon with --telegram-bot-token "
    "(the bot's token).",
}

STATUSES: Final[dict[str, str]] = {
    "new": "new",
    "dispatched": "dispatched",
    "acknowledged": "acknowledged",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "resolved": "resolved",
    "cancelled": "cancelled",
    "false_alarm": "false_alarm",
}
"""Incident statuses where a sentence names one ({status}, {target}); English keeps the code."""
