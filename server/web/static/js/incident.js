// The incident view: facts (incident-facts.js), the actions its status allows (dispatch first,
// so it is in view without scrolling; incident-actions.js) with the crew to send
// (crew-picker.js), the crew's report (report.js), the alerts behind it (incident-alerts.js),
// and the timeline (every transition, note, delivery receipt and escalation, as the server
// recorded them). This panel opens an incident, keeps its parts in step with relay events and
// the language, and draws the timeline.

import { WhoToCall } from "./contacts.js";
import { CrewPicker } from "./crew-picker.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { IncidentActions } from "./incident-actions.js";
import { IncidentAlerts } from "./incident-alerts.js";
import { renderFacts } from "./incident-facts.js";
import { IncidentMedia } from "./media.js";
import { PlanView } from "./plan.js";
import { ReportView } from "./report.js";
import { describeEntry } from "./timeline.js";
import { actorName } from "./words.js";

export class IncidentPanel {
  constructor(model, api, map) {
    this.model = model;
    this.api = api;
    this.map = map;
    this.incidentId = null;
    this.entries = new Map();
    this.report = new ReportView(api);
    this.alerts = new IncidentAlerts(model, api, () => this.incidentId);
    this.media = new IncidentMedia(api, () => this.incidentId);
    this.contacts = new WhoToCall(api, () => this.incidentId);
    this.crews = new CrewPicker(this, () => this.actions.refresh());
    this.actions = new IncidentActions(this);
    this.plan = new PlanView(api, () => this.incident);
  }

  get incident() {
    return this.model.incidents.get(this.incidentId) ?? null;
  }

  async open(incidentId, { focus = true } = {}) {
    this.incidentId = incidentId;
    this.entries = new Map();
    this.crews.clear();
    byId("incident-empty").hidden = true;
    byId("incident-body").hidden = false;
    this.renderFacts();
    replaceChildren(byId("timeline"));
    this.alerts.clear();
    this.plan.clear();
    this.plan.load();
    this.contacts.clear();
    this.contacts.load();
    this.media.clear();
    this.media.load();
    if (focus) byId("incident-title").focus();
    if (this.incident !== null) this.map.focusOn(this.incident);
    await Promise.all([this.loadTimeline(), this.alerts.load(), this.crews.load(), this.report.load(incidentId)]);
  }

  /** React to a relay event (already applied to the model). */
  changed(effect) {
    if (this.incidentId === null) return;
    if (effect.incident?.id === this.incidentId) {
      this.renderFacts();
      this.crews.load();
    }
    if (effect.timeline?.incident_id === this.incidentId) this.addEntries([effect.timeline]);
    if (effect.alert?.incident_id === this.incidentId) this.alerts.render();
    if (effect.escalation?.incident_id === this.incidentId) this.renderFacts();
    if (effect.timeline?.incident_id === this.incidentId && effect.timeline.kind.startsWith("plan_")) this.plan.load();
    if (effect.incident?.id === this.incidentId) this.plan.render();
    if (effect.timeline?.incident_id === this.incidentId && effect.timeline.kind === "call") this.contacts.load();
    if (effect.timeline?.incident_id === this.incidentId && effect.timeline.kind.startsWith("notice_")) this.contacts.notices.load();
    if (effect.timeline?.incident_id === this.incidentId) this.media.noticed(effect.timeline);
  }

  /** A `notice` relay event: Who to call shows its new state when it is the open incident's. */
  noticed(notice) {
    this.contacts.notices.noticed(notice);
  }

  /** The crew's sync changed a report: refetch it when it is the open incident's. */
  reportChanged(incidentId) {
    if (incidentId === this.incidentId) this.report.load(incidentId);
  }

  /** The language changed: draw every word again. */
  redraw() {
    this.actions.renderOutcomes();
    if (this.incidentId === null) return;
    this.actions.forgetStatusChoices();
    this.renderFacts();
    this.crews.render();
    this.alerts.render();
    this.media.render();
    this.contacts.render();
    this.plan.render();
    this.addEntries([]);
    this.report.render();
  }

  /** Send the first suggested crew (the queue row, the banner, the map, the `d` key). */
  dispatchRecommended(incidentId) {
    return this.actions.dispatchRecommended(incidentId);
  }

  /** An action on `incidentId` was done: draw it again when it is still the open one. */
  async acted(incidentId) {
    if (incidentId !== this.incidentId) return;
    this.renderFacts();
    await Promise.all([this.loadTimeline(), this.crews.load()]);
  }

  renderFacts() {
    const incident = this.incident;
    if (incident === null) return;
    renderFacts(incident, this.model);
    this.actions.refresh();
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
          h("time", { datetime: entry.at }, formatTime(entry.at)),
          " ",
          h("span", { class: `kind kind-${entry.kind}` }, text.title),
          " ",
          text.detail ? `${text.detail} ` : "",
          h("span", { class: "actor" }, t("timeline_by", { actor: actorName(entry.actor) })),
        );
      }),
    );
  }
}
