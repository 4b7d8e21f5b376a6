// The incident view: facts, the alerts behind it, the actions, and the timeline (every
// transition, note, delivery receipt and escalation, as the server recorded them).

import { ApiError } from "./api.js";
import { notify } from "./announce.js";
import { confirmAction } from "./confirm.js";
import { byId, formatClock, h, parseTime, replaceChildren } from "./dom.js";
import { DISPATCHABLE, OUTCOMES, TRANSITIONS, isOpen, label } from "./model.js";
import { describeEntry } from "./timeline.js";

// Statuses with their own button are left out of the generic "change status" list.
const OWN_ACTION = new Set(["dispatched", "resolved", "false_alarm"]);
const SNAPSHOT_KEY = /snapshot|image|photo|frame|picture/i;

function operationId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // works without a secure context
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export class IncidentPanel {
  constructor(model, api, map) {
    this.model = model;
    this.api = api;
    this.map = map;
    this.incidentId = null;
    this.entries = new Map();
    this.suggestions = [];
    byId("resolve-outcome").replaceChildren(...OUTCOMES.map((o) => h("option", { value: o }, label(o))));
    this.bindActions();
  }

  get incident() {
    return this.model.incidents.get(this.incidentId) ?? null;
  }

  async open(incidentId, { focus = true } = {}) {
    this.incidentId = incidentId;
    this.entries = new Map();
    byId("incident-empty").hidden = true;
    byId("incident-body").hidden = false;
    this.renderFacts();
    replaceChildren(byId("timeline"));
    replaceChildren(byId("incident-alerts"));
    if (focus) byId("incident-title").focus();
    if (this.incident !== null) this.map.focusOn(this.incident);
    await Promise.all([this.loadTimeline(), this.loadAlerts(), this.loadSuggestions()]);
  }

  /** React to a relay event (already applied to the model). */
  changed(effect) {
    if (this.incidentId === null) return;
    if (effect.incident?.id === this.incidentId) {
      this.renderFacts();
      this.loadSuggestions();
    }
    if (effect.timeline?.incident_id === this.incidentId) this.addEntries([effect.timeline]);
    if (effect.alert?.incident_id === this.incidentId) this.renderAlerts();
    if (effect.escalation?.incident_id === this.incidentId) this.renderFacts();
  }

  renderFacts() {
    const incident = this.incident;
    if (incident === null) return;
    byId("incident-title").textContent = `Incident #${incident.id}: ${incident.title}`;
    const site = incident.site;
    const place = [site.name, site.address].filter(Boolean).join(", ") || "no address";
    const position = site.lat === null ? "no position" : `${site.lat.toFixed(5)}, ${site.lon.toFixed(5)}`;
    const facts = [
      ["Priority", `P${incident.priority}`],
      ["Status", label(incident.status) + (incident.outcome ? ` (${label(incident.outcome)})` : "")],
      ["Kind", label(incident.kind)],
      ["Place", place],
      ["Position", position],
      ["Opened", formatClock(parseTime(incident.created_at))],
      ["Crew", this.model.crewName(incident.crew_id) || "none"],
    ];
    const escalation = this.model.escalated.get(incident.id);
    if (escalation !== undefined) {
      facts.push(["Escalated", `crew did not acknowledge in ${Math.round(escalation.waited_s)} s`]);
    }
    replaceChildren(byId("incident-facts"), facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
    this.refreshActions();
  }

  refreshActions() {
    const incident = this.incident;
    const status = incident?.status ?? "resolved";
    const next = (TRANSITIONS[status] ?? []).filter((target) => !OWN_ACTION.has(target));
    const select = byId("status-select");
    if (select.dataset.forStatus !== `${this.incidentId}:${status}`) {
      // A new situation starts at its natural next step, never at a choice made for an old one.
      select.replaceChildren(...next.map((target) => h("option", { value: target }, label(target))));
      select.dataset.forStatus = `${this.incidentId}:${status}`;
    }
    byId("status-button").disabled = next.length === 0;
    byId("dispatch-button").disabled = !DISPATCHABLE.includes(status) || byId("dispatch-crew").value === "";
    byId("resolve-button").disabled = !(TRANSITIONS[status] ?? []).includes("resolved");
    byId("false-alarm-button").disabled = !(TRANSITIONS[status] ?? []).includes("false_alarm");
  }

  async loadTimeline() {
    const incidentId = this.incidentId;
    const entries = await this.api.get(`/api/v1/incidents/${incidentId}/timeline`).catch(() => []);
    if (incidentId === this.incidentId) this.addEntries(entries);
  }

  addEntries(entries) {
    for (const entry of entries) this.entries.set(entry.id, entry);
    const ordered = [...this.entries.values()].sort((a, b) => a.id - b.id);
    replaceChildren(
      byId("timeline"),
      ordered.map((entry) => {
        const text = describeEntry(entry, this.model);
        return h(
          "li",
          { dataset: { kind: entry.kind, entryId: entry.id } },
          h("time", { datetime: entry.at }, formatClock(parseTime(entry.at))),
          " ",
          h("span", { class: `kind kind-${entry.kind}` }, text.title),
          " ",
          text.detail ? `${text.detail} ` : "",
          h("span", { class: "actor" }, `by ${entry.actor}`),
        );
      }),
    );
  }

  async loadAlerts() {
    const incidentId = this.incidentId;
    const alerts = await this.api.get(`/api/v1/alerts?incident_id=${incidentId}`).catch(() => []);
    for (const alert of alerts) this.model.putAlert(alert);
    if (incidentId === this.incidentId) this.renderAlerts();
  }

  renderAlerts() {
    const alerts = [...this.model.alerts.values()]
      .filter((alert) => alert.incident_id === this.incidentId)
      .sort((a, b) => a.id - b.id);
    replaceChildren(byId("incident-alerts"), alerts.map((alert) => this.alertItem(alert)));
  }

  alertItem(alert) {
    const details = Object.entries(alert.details ?? {});
    const rows = [
      ["Kind", label(alert.kind)],
      ["Source", alert.source],
      ["Received", formatClock(parseTime(alert.received_at))],
    ];
    if (alert.description) rows.push(["Description", alert.description]);
    const item = h(
      "li",
      { dataset: { alertId: alert.id } },
      h("strong", {}, `Alert #${alert.id}: P${alert.priority} ${label(alert.kind)} from ${alert.source}`),
      h("dl", {}, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    );
    const detailList = h("dl");
    for (const [key, value] of details) {
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      const isSnapshot = typeof value === "string" && SNAPSHOT_KEY.test(key);
      detailList.append(h("dt", {}, label(key)), h("dd", {}, isSnapshot ? this.snapshotControl(alert, value) : shown));
    }
    if (details.length > 0) item.append(detailList);
    return item;
  }

  snapshotControl(alert, url) {
    if (/^https?:\/\//i.test(url)) {
      return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, "Open snapshot");
    }
    if (!url.startsWith("/")) return url;
    // Our own routes need the token, which a plain link cannot carry: fetch, then show.
    const button = h("button", { type: "button" }, "Show snapshot");
    button.addEventListener("click", async () => {
      try {
        const blob = await this.api.blob(url);
        const image = h("img", { class: "snapshot", alt: `Snapshot for alert #${alert.id}` });
        image.src = URL.createObjectURL(blob);
        button.replaceWith(image);
      } catch (error) {
        notify(`The snapshot could not be loaded: ${error.message}`);
      }
    });
    return button;
  }

  async loadSuggestions() {
    const incident = this.incident;
    if (incident === null) return;
    this.suggestions = isOpen(incident)
      ? await this.api.get(`/api/v1/incidents/${incident.id}/suggestions`).catch(() => [])
      : [];
    if (incident.id !== this.incidentId) return;
    this.renderCrewChoice();
    const top = this.suggestions[0];
    const recommended = top === undefined || incident.status !== "new" ? null : this.model.crews.get(top.crew_id) ?? null;
    this.map.showRecommendation(incident, recommended, top?.reason ?? "");
  }

  renderCrewChoice() {
    const select = byId("dispatch-crew");
    const previous = select.value;
    const suggested = new Set(this.suggestions.map((s) => s.crew_id));
    const others = [...this.model.crews.values()]
      .filter((crew) => !suggested.has(crew.id) && crew.status !== "off_duty")
      .sort((a, b) => a.name.localeCompare(b.name));
    select.replaceChildren(
      h(
        "optgroup",
        { label: "Suggested, nearest first" },
        this.suggestions.map((s) => h("option", { value: s.crew_id }, `${s.name}: ${s.reason}`)),
      ),
      h(
        "optgroup",
        { label: "Other crews" },
        others.map((crew) => h("option", { value: crew.id }, `${crew.name} (${label(crew.status)})`)),
      ),
    );
    const stillThere = [...select.options].some((option) => option.value === previous);
    select.value = stillThere && previous !== "" ? previous : String(this.suggestions[0]?.crew_id ?? select.options[0]?.value ?? "");
    this.showReason();
    this.refreshActions();
  }

  showReason() {
    const crewId = Number(byId("dispatch-crew").value);
    const suggestion = this.suggestions.find((s) => s.crew_id === crewId);
    const rank = this.suggestions.indexOf(suggestion);
    byId("dispatch-reason").textContent =
      suggestion === undefined
        ? this.suggestions.length === 0
          ? "No available crew with a known position to suggest."
          : "Not a suggested crew."
        : `${rank === 0 ? "Recommended" : `Suggestion ${rank + 1}`}: ${suggestion.name}, ${suggestion.reason}.`;
  }

  bindActions() {
    byId("dispatch-crew").addEventListener("change", () => {
      this.showReason();
      this.refreshActions();
    });
    this.onSubmit("dispatch-form", () => this.dispatch());
    this.onSubmit("status-form", () => this.changeStatus(byId("status-select").value));
    this.onSubmit("resolve-form", () => this.resolve());
    this.onSubmit("note-form", () => this.addNote());
    byId("false-alarm-button").addEventListener("click", () => this.changeStatus("false_alarm"));
  }

  onSubmit(formId, action) {
    byId(formId).addEventListener("submit", (event) => {
      event.preventDefault();
      action();
    });
  }

  /** Ask, then do, then say what happened; the server records the action on the timeline. */
  async act(question, confirmLabel, path, body, done) {
    const incidentId = this.incidentId;
    if (incidentId === null || !(await confirmAction(question, confirmLabel))) return false;
    try {
      const result = await this.api.post(`/api/v1/incidents/${incidentId}${path}`, body);
      if (result !== null) this.model.putIncident(result);
      notify(done);
      this.renderFacts();
      await this.loadTimeline();
      return true;
    } catch (error) {
      const reason = error instanceof ApiError ? error.message : String(error);
      notify(`Not done: ${reason}`);
      return false;
    }
  }

  async dispatch() {
    const crewId = Number(byId("dispatch-crew").value);
    const crew = this.model.crewName(crewId);
    await this.act(
      `Dispatch ${crew} to incident #${this.incidentId}?`,
      `Dispatch ${crew}`,
      "/dispatch",
      { crew_id: crewId },
      `${crew} dispatched to incident #${this.incidentId}.`,
    );
  }

  async changeStatus(target) {
    if (!target) return;
    const from = label(this.incident?.status);
    await this.act(
      `Change incident #${this.incidentId} from ${from} to ${label(target)}?`,
      target === "false_alarm" ? "Mark false alarm" : `Set ${label(target)}`,
      "/status",
      { status: target, op_id: operationId() },
      `Incident #${this.incidentId} is now ${label(target)}.`,
    );
  }

  async resolve() {
    const outcome = byId("resolve-outcome").value;
    const body = {
      outcome,
      notes: byId("resolve-notes").value,
      persons_detained: Number(byId("resolve-detained").value) || 0,
    };
    const done = await this.act(
      `Resolve incident #${this.incidentId} with outcome "${label(outcome)}"?`,
      "Resolve",
      "/resolve",
      body,
      `Incident #${this.incidentId} resolved: ${label(outcome)}.`,
    );
    if (done) byId("resolve-notes").value = "";
  }

  async addNote() {
    const text = byId("note-text").value.trim();
    if (text === "") {
      notify("Write the note first.");
      byId("note-text").focus();
      return;
    }
    const done = await this.act(
      `Add this note to incident #${this.incidentId}? “${text}”`,
      "Add note",
      "/notes",
      { text },
      `Note added to incident #${this.incidentId}.`,
    );
    if (done) byId("note-text").value = "";
  }
}
