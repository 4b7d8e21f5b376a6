// The crew's report in the incident view: narrative, persons, detentions and the outcome the crew
// proposes, as the crew's sync pushes left them (GET /api/v1/incidents/{id}/report). The page
// fetches it again on every `report` event of the open incident, so it shows live as it syncs.

import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { outcomeLabel, plain } from "./words.js";

function termOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

function isEmpty(report) {
  return !report.narrative && report.outcome === null && report.persons.length === 0 && report.detentions.length === 0;
}

export class ReportView {
  constructor(api) {
    this.api = api;
    this.incidentId = null;
    this.report = null;
    this.requests = 0;
  }

  /** Load the report of `incidentId` (null: show none). */
  async load(incidentId) {
    if (incidentId !== this.incidentId) {
      this.incidentId = incidentId;
      this.report = null;
      this.render();
    }
    if (incidentId === null) return;
    const request = ++this.requests;
    const report = await this.api.get(`/api/v1/incidents/${incidentId}/report`).catch(() => null);
    if (request !== this.requests || incidentId !== this.incidentId) return; // a newer load is on its way
    this.report = report;
    this.render();
  }

  render() {
    const report = this.report;
    const empty = report === null || isEmpty(report);
    byId("report").dataset.state = empty ? "empty" : "shown";
    byId("report-empty").hidden = !empty;
    byId("report-body").hidden = empty;
    if (empty) return;
    const facts = [[t("report_proposed_outcome"), report.outcome ? outcomeLabel(report.outcome) : t("report_no_outcome")]];
    if (report.updated_at) facts.push([t("report_updated"), formatTime(report.updated_at)]);
    replaceChildren(byId("report-facts"), facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
    byId("report-narrative").textContent = report.narrative;
    byId("report-narrative").hidden = !report.narrative;
    const names = new Map(report.persons.map((person) => [person.id, person.full_name || t("report_unnamed")]));
    replaceChildren(
      byId("report-persons"),
      report.persons.map((person) =>
        h(
          "li",
          { dataset: { personId: person.id } },
          t("report_person", {
            role: termOr(`person_role_${person.role}`, plain(person.role)),
            name: person.full_name || t("report_unnamed"),
          }),
        ),
      ),
    );
    replaceChildren(
      byId("report-detentions"),
      report.detentions.map((detention) =>
        h(
          "li",
          { dataset: { personId: detention.person_id } },
          t("report_detention", { name: names.get(detention.person_id) ?? t("report_unnamed"), grounds: detention.grounds }),
          detention.handed_to ? ` ${t("report_handed_to", { to: detention.handed_to })}` : "",
        ),
      ),
    );
  }
}
