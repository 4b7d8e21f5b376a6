// The facts of the open incident: its title and the list under it (priority, status with the
// outcome once closed, kind, when it opened, the place, the crew, a missing position, an
// escalation), in the page's language.

import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { incidentTitle, kindLabel, outcomeLabel, statusLabel } from "./words.js";

/** Draw `incident`'s title and facts; `model` names its crew and knows its escalation. */
export function renderFacts(incident, model) {
  byId("incident-title").textContent = `${t("incident_number", { id: incident.id })}: ${incidentTitle(incident)}`;
  const site = incident.site;
  const place = [site.name, site.address].filter(Boolean).join(", ") || t("no_address");
  const outcome = incident.outcome ? ` (${outcomeLabel(incident.outcome)})` : "";
  const facts = [
    [t("fact_priority"), `P${incident.priority}`],
    [t("fact_status"), statusLabel(incident.status) + outcome],
    [t("fact_kind"), kindLabel(incident.kind)],
    [t("fact_opened"), formatTime(incident.created_at)],
    [t("fact_place"), place],
    [t("fact_crew"), incident.crew_name ?? (model.crewName(incident.crew_id) || t("crew_none"))],
  ];
  if (site.lat === null) facts.push([t("fact_position"), t("no_position")]);
  const escalation = model.escalated.get(incident.id);
  if (escalation !== undefined) {
    facts.push([t("fact_escalated"), t("escalated_after", { s: Math.round(escalation.waited_s) })]);
  }
  replaceChildren(byId("incident-facts"), facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}
