// The incident statuses, the moves between them and the outcomes, as the server embeds them in
// the page (server/incidents/vocabulary.py); the worker caches the page, so they work offline.

import { WAITING } from "./actions.js";

export const VOCABULARY = JSON.parse(document.getElementById("posbon-vocabulary").textContent);
export const CLOSED = new Set(VOCABULARY.closed);
export const RESOLVED = "resolved";
export const TAKEN_AWAY = new Set(["cancelled", "false_alarm"]); // the reason keys stand_down_<status>

/** Whether the server's lifecycle lets an incident move from `status` to `target`. */
export function canMove(status, target) {
  return (VOCABULARY.transitions[status] ?? []).includes(target);
}

/** The status shown: the server's, or a queued tap's if that is further along. */
export function effectiveStatus(incident, actions) {
  let status = incident.status;
  for (const action of actions) {
    if (action.incident_id === incident.id && action.state === WAITING && canMove(status, action.status)) status = action.status;
  }
  return status;
}
