// The list of what this tablet sent: each tap and each report change with a label a person
// reads (built in the current language when drawn, so switching language relabels it) and its
// state (waiting, sent, saved on the server, refused, conflict) with the server's reason.

import { REFUSED, WAITING } from "./actions.js";
import { formatTime, t } from "./i18n.js";
import { APPLIED, CONFLICT, PENDING, REJECTED } from "./sync.js";

const STATE_KEY = { [PENDING]: WAITING, [REJECTED]: REFUSED, [APPLIED]: "applied", [CONFLICT]: "conflict" };

export function item(text, state = null, detail = "", at = null) {
  const li = document.createElement("li");
  if (at !== null) {
    const time = document.createElement("time");
    time.dateTime = at;
    time.textContent = formatTime(at);
    li.append(time, " ");
  }
  li.append(text);
  if (state !== null) {
    li.dataset.state = state;
    const badge = document.createElement("span");
    badge.className = `badge ${state}`;
    badge.textContent = t(`state_${STATE_KEY[state] ?? state}`);
    li.append(" ", badge);
    if (detail) {
      const why = document.createElement("span");
      why.className = "detail";
      why.textContent = detail;
      li.append(" ", why);
    }
  }
  return li;
}

/** A queued mutation's label: {key, values} since labels are drawn in the current language;
 * a plain string from an older release of the app as it was stored. */
function mutationLabel(label) {
  return typeof label === "string" ? label : t(label.key, label.values);
}

function actionLabel(action) {
  const name = t(action.status === "resolved" ? "act_resolve" : `act_${action.status}`);
  return t("item_action", { action: name, id: action.incident_id });
}

/** The outbox rows, newest first, and how many still wait to be sent. */
export function outboxRows(actions, mutations) {
  const rows = [
    ...actions.map((action) => {
      const li = item(actionLabel(action), action.state, action.detail, action.device_at);
      li.dataset.opId = action.op_id;
      return li;
    }),
    ...mutations.map((row) => {
      const detail = row.state === CONFLICT ? t("conflict_note") : row.detail;
      const li = item(mutationLabel(row.label), row.state, detail);
      li.dataset.clientSeq = String(row.client_seq);
      return li;
    }),
  ].reverse();
  const waiting = actions.filter((action) => action.state === WAITING).length + mutations.filter((row) => row.state === PENDING).length;
  return { rows: rows.length ? rows : [item(t("queue_empty"))], waiting };
}
