// What the dispatcher can do with the open incident, as its status allows: send a crew, move it
// on, close it (resolve, cancel or false alarm, each with an outcome: the crew's proposed one is
// preselected) and add a note. Each action is asked first, then done, then announced; the server
// records it on the timeline.

import { ApiError } from "./api.js";
import { notify } from "./announce.js";
import { confirmAction } from "./confirm.js";
import { byId, h } from "./dom.js";
import { t } from "./i18n.js";
import { DISPATCHABLE, OUTCOMES, TRANSITIONS } from "./model.js";
import { outcomeLabel, statusLabel } from "./words.js";

// Moves with their own action are left out of the generic "change status" list.
const OWN_ACTION = new Set(["dispatched", "resolved", "cancelled", "false_alarm"]);

function operationId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // works without a secure context
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function movesFrom(status) {
  return TRANSITIONS[status] ?? [];
}

export class IncidentActions {
  /** `panel`: the IncidentPanel (the open incident, the model, the api, the crew picker, and
   * `acted(incidentId)`, which draws the incident again after an action). */
  constructor(panel) {
    this.panel = panel;
    this.renderOutcomes();
    this.bind();
  }

  renderOutcomes() {
    const select = byId("resolve-outcome");
    const chosen = select.value;
    select.replaceChildren(
      h("option", { value: "" }, t("choose_outcome")),
      ...OUTCOMES.map((outcome) => h("option", { value: outcome }, outcomeLabel(outcome))),
    );
    select.value = chosen;
  }

  /** Show only what the status allows; a closed incident keeps only the note. */
  refresh() {
    const incident = this.panel.incident;
    const status = incident?.status ?? "resolved";
    const moves = movesFrom(status);
    const dispatchable = DISPATCHABLE.includes(status);
    byId("dispatch-form").hidden = !dispatchable;
    byId("dispatch-crew-label").textContent = incident?.crew_id ? t("crew_to_send_instead") : t("crew_to_send");
    byId("dispatch-button").disabled = !dispatchable || byId("dispatch-crew").value === "";

    const next = moves.filter((target) => !OWN_ACTION.has(target));
    const select = byId("status-select");
    if (select.dataset.forStatus !== `${this.panel.incidentId}:${status}`) {
      // A new situation starts at its natural next step, never at a choice made for an old one.
      select.replaceChildren(...next.map((target) => h("option", { value: target }, statusLabel(target))));
      select.dataset.forStatus = `${this.panel.incidentId}:${status}`;
    }
    byId("status-form").hidden = next.length === 0;

    const closable = ["resolved", "cancelled", "false_alarm"].filter((target) => moves.includes(target));
    byId("resolve-form").hidden = closable.length === 0;
    byId("resolve-button").hidden = !closable.includes("resolved");
    byId("cancel-button").hidden = !closable.includes("cancelled");
    byId("false-alarm-button").hidden = !closable.includes("false_alarm");
    this.proposeOutcome(incident);
  }

  /** The status choices are drawn again (in a new language) on the next refresh. */
  forgetStatusChoices() {
    byId("status-select").dataset.forStatus = "";
  }

  /** The crew's proposed outcome preselects the close form, until the dispatcher picks one. */
  proposeOutcome(incident) {
    const proposed = incident?.proposed_outcome ?? null;
    const select = byId("resolve-outcome");
    const key = `${this.panel.incidentId}:${proposed}`;
    byId("resolve-proposed").textContent = proposed ? t("proposed_by_crew", { outcome: outcomeLabel(proposed) }) : "";
    if (select.dataset.forProposal === key) return;
    select.dataset.forProposal = key;
    select.value = proposed ?? "";
  }

  bind() {
    this.onSubmit("dispatch-form", () => this.dispatch());
    this.onSubmit("status-form", () => this.changeStatus(byId("status-select").value));
    this.onSubmit("resolve-form", () => this.resolve());
    this.onSubmit("note-form", () => this.addNote());
    byId("cancel-button").addEventListener("click", () => this.cancel());
    byId("false-alarm-button").addEventListener("click", () => this.changeStatus("false_alarm"));
  }

  onSubmit(formId, action) {
    byId(formId).addEventListener("submit", (event) => {
      event.preventDefault();
      action();
    });
  }

  /** Ask, then do, then say what happened; the server records the action on the timeline. */
  async act(incidentId, { question, confirmLabel, path, body, done }) {
    if (incidentId === null || !(await confirmAction(question, confirmLabel))) return false;
    try {
      const result = await this.panel.api.post(`/api/v1/incidents/${incidentId}${path}`, body);
      if (result !== null) this.panel.model.putIncident(result);
      notify(done);
      await this.panel.acted(incidentId);
      return true;
    } catch (error) {
      const reason = error instanceof ApiError ? error.message : String(error);
      notify(t("not_done", { reason }));
      return false;
    }
  }

  sendCrew(incidentId, crewId, crewName) {
    const params = { crew: crewName, id: incidentId };
    return this.act(incidentId, {
      question: t("confirm_dispatch", params),
      confirmLabel: t("confirm_dispatch_button", params),
      path: "/dispatch",
      body: { crew_id: crewId },
      done: t("done_dispatch", params),
    });
  }

  dispatch() {
    const crewId = this.panel.crews.chosen();
    return this.sendCrew(this.panel.incidentId, crewId, this.panel.model.crewName(crewId));
  }

  /** Send the first suggested crew (the queue row, the banner, the map, the `d` key). */
  async dispatchRecommended(incidentId) {
    const incident = this.panel.model.incidents.get(incidentId);
    if (incident === undefined || !DISPATCHABLE.includes(incident.status)) {
      notify(t("not_dispatchable", { id: incidentId }));
      return false;
    }
    const suggestions = await this.panel.api.get(`/api/v1/incidents/${incidentId}/suggestions`).catch(() => []);
    const top = suggestions.find((s) => s.crew_id !== incident.crew_id);
    if (top === undefined) {
      notify(t("no_crew_to_recommend", { id: incidentId }));
      return false;
    }
    return this.sendCrew(incidentId, top.crew_id, top.name);
  }

  async changeStatus(target) {
    if (!target) return;
    const incidentId = this.panel.incidentId;
    const params = { id: incidentId, from: statusLabel(this.panel.incident?.status), to: statusLabel(target) };
    await this.act(incidentId, {
      question: t("confirm_status", params),
      confirmLabel: target === "false_alarm" ? t("mark_false_alarm") : t("confirm_status_button", params),
      path: "/status",
      body: { status: target, op_id: operationId() },
      done: t("done_status", params),
    });
  }

  /** The outcome chosen in the close form, or null (and the form says so) when none is. */
  chosenOutcome() {
    const outcome = byId("resolve-outcome").value;
    if (outcome !== "") return outcome;
    notify(t("error_outcome_required"));
    byId("resolve-outcome").focus();
    return null;
  }

  async resolve() {
    const outcome = this.chosenOutcome();
    if (outcome === null) return;
    const incidentId = this.panel.incidentId;
    const params = { id: incidentId, outcome: outcomeLabel(outcome) };
    const body = {
      outcome,
      notes: byId("resolve-notes").value,
      persons_detained: Number(byId("resolve-detained").value) || 0,
    };
    const done = await this.act(incidentId, {
      question: t("confirm_resolve", params),
      confirmLabel: t("resolve"),
      path: "/resolve",
      body,
      done: t("done_resolve", params),
    });
    if (done) byId("resolve-notes").value = "";
  }

  async cancel() {
    const outcome = this.chosenOutcome();
    if (outcome === null) return;
    const incidentId = this.panel.incidentId;
    const params = { id: incidentId, outcome: outcomeLabel(outcome) };
    await this.act(incidentId, {
      question: t("confirm_cancel", params),
      confirmLabel: t("cancel_incident"),
      path: "/status",
      body: { status: "cancelled", outcome, op_id: operationId() },
      done: t("done_cancel", params),
    });
  }

  async addNote() {
    const text = byId("note-text").value.trim();
    if (text === "") {
      notify(t("note_empty"));
      byId("note-text").focus();
      return;
    }
    const incidentId = this.panel.incidentId;
    const params = { id: incidentId, text };
    const done = await this.act(incidentId, {
      question: t("confirm_note", params),
      confirmLabel: t("add_note"),
      path: "/notes",
      body: { text },
      done: t("done_note", params),
    });
    if (done) byId("note-text").value = "";
  }
}
