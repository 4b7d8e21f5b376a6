// The queue: pending (no crew yet), active, recently closed; priority first, then age. A pending
// incident past its priority's limit is marked "LATE" in words and in colour, never colour alone.
// Each pending row has "dispatch recommended": the first suggested crew, after one confirmation.

import { byId, formatDuration, h, renderRows, setText } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { DISPATCHABLE, aging, unacknowledgedFor } from "./model.js";
import { incidentTitle, outcomeLabel, statusLabel } from "./words.js";

function priorityBadge(priority) {
  return h("span", { class: `prio prio-${priority}` }, `P${priority}`);
}

export class QueueView {
  constructor(model, config, onOpen, onDispatchRecommended) {
    this.model = model;
    this.config = config;
    this.onOpen = onOpen;
    this.onDispatchRecommended = onDispatchRecommended;
    this.selectedId = null;
    this.pendingSeen = new Set();
  }

  build(incident, extraCells) {
    const open = h(
      "button",
      { type: "button", class: "open", dataset: { incidentId: incident.id } },
      "",
    );
    open.addEventListener("click", () => this.onOpen(Number(open.dataset.incidentId)));
    const cells = [h("td", {}, priorityBadge(incident.priority)), h("td", {}, open)];
    for (let index = 0; index < extraCells; index += 1) cells.push(h("td"));
    return h("tr", { dataset: { incidentId: incident.id } }, cells);
  }

  common(row, incident) {
    const [priorityCell, titleCell] = row.cells;
    if (priorityCell.textContent !== `P${incident.priority}`) {
      priorityCell.replaceChildren(priorityBadge(incident.priority));
    }
    const button = titleCell.firstChild;
    setText(button, `#${incident.id} ${incidentTitle(incident)}`);
    const selected = incident.id === this.selectedId;
    row.classList.toggle("selected", selected);
    button.setAttribute("aria-current", selected ? "true" : "false");
  }

  render(nowMs) {
    const { pending, active, closed } = this.model.queue(nowMs);
    const key = (incident) => incident.id;
    renderRows(byId("pending").tBodies[0], pending, key, (i) => this.buildPending(i), (row, i) =>
      this.updatePending(row, i, nowMs),
    );
    renderRows(byId("active").tBodies[0], active, key, (i) => this.build(i, 2), (row, i) =>
      this.updateActive(row, i, nowMs),
    );
    renderRows(byId("closed").tBodies[0], closed, key, (i) => this.build(i, 2), (row, i) =>
      this.updateClosed(row, i),
    );
    this.revealNewPending(pending);
    setText(byId("pending-count"), `(${pending.length})`);
    setText(byId("active-count"), `(${active.length})`);
    setText(byId("closed-count"), `(${closed.length})`);
  }

  buildPending(incident) {
    const row = this.build(incident, 1); // the title names the place: no column of its own
    const send = h("button", { type: "button", class: "send", dataset: { incidentId: incident.id } }, "");
    send.addEventListener("click", () => this.onDispatchRecommended(Number(send.dataset.incidentId)));
    row.append(h("td", {}, send));
    return row;
  }

  /** Pending stays above what scrolls; within its own box, scroll to a row that just came in. */
  revealNewPending(pending) {
    const box = byId("pending-box");
    const fresh = pending.filter((incident) => !this.pendingSeen.has(incident.id));
    this.pendingSeen = new Set(pending.map((incident) => incident.id));
    if (fresh.length === 0) return;
    const row = box.querySelector(`tr[data-incident-id="${fresh[0].id}"]`);
    const boxRect = box.getBoundingClientRect();
    const rowRect = row.getBoundingClientRect();
    if (rowRect.top < boxRect.top || rowRect.bottom > boxRect.bottom) {
      box.scrollTop += rowRect.top - boxRect.top;
    }
  }

  updatePending(row, incident, nowMs) {
    this.common(row, incident);
    const age = aging(incident, nowMs, this.config.queue_aging_s);
    row.classList.toggle("aging-soon", age.state === "soon");
    row.classList.toggle("aging-late", age.state === "late");
    row.cells[2].className = "aging";
    const words = { state: t(`aging_${age.state === "ok" ? "waiting" : age.state}`), waited: formatDuration(age.waitedS) };
    setText(row.cells[2], t("aging_text", { ...words, limit: formatDuration(age.limitS) }));
    const send = row.cells[3].firstChild;
    setText(send, t("send_recommended"));
    send.setAttribute("aria-label", t("send_recommended_to", { id: incident.id }));
    send.disabled = !DISPATCHABLE.includes(incident.status);
  }

  updateActive(row, incident, nowMs) {
    this.common(row, incident);
    const waitedS = unacknowledgedFor(
      incident,
      nowMs,
      this.config.unacknowledged_after_s,
      this.model.escalated.has(incident.id),
    );
    const status = statusLabel(incident.status);
    if (waitedS === null) {
      setText(row.cells[2], status);
    } else {
      row.cells[2].replaceChildren(
        status + " ",
        h("span", { class: "marker-unacked" }, t("not_acknowledged_for", { time: formatDuration(waitedS) })),
      );
    }
    setText(row.cells[3], incident.crew_name ?? this.model.crewName(incident.crew_id));
  }

  updateClosed(row, incident) {
    this.common(row, incident);
    const status = statusLabel(incident.status);
    const outcome = incident.outcome && incident.outcome !== incident.status ? outcomeLabel(incident.outcome) : "";
    setText(row.cells[2], outcome ? `${status}: ${outcome}` : status);
    setText(row.cells[3], formatTime(incident.closed_at ?? incident.updated_at));
  }
}
