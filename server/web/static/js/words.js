// The words the dispatcher page shows for the server's values (statuses, outcomes, kinds, crew
// statuses, who did something), all through the catalog (i18n.js). A value the catalog does not
// know yet (a newer server) still shows, as itself, so nothing is hidden from the dispatcher.

import { t } from "./i18n.js";

/** "false_alarm" → "false alarm": the last resort for a value no catalog names. */
export function plain(value) {
  return String(value ?? "").replaceAll("_", " ");
}

function termOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

export function statusLabel(status) {
  return termOr(`status_${status}`, plain(status));
}

export function outcomeLabel(outcome) {
  return termOr(`outcome_${outcome}`, plain(outcome));
}

export function kindLabel(kind) {
  return termOr(`kind_${kind}`, plain(kind));
}

export function crewStatusLabel(status) {
  return termOr(`crew_status_${status}`, plain(status));
}

/** A role's name ("dispatcher", "диспетчер"); a role the catalog does not know shows as itself. */
export function roleLabel(role) {
  return termOr(`role_${role}`, plain(role));
}

/** An incident's title built from its kind and place (the stored English title is a fallback). */
export function incidentTitle(incident) {
  if (!incident.kind) return incident.title ?? "";
  const place = incident.site?.name || incident.site?.address || t("unknown_place");
  return t("incident_title", { kind: kindLabel(incident.kind), place });
}

/** "dispatcher:Aziza" → "Aziza (dispatcher)"; "system" → "Posbon". */
export function actorName(actor) {
  const text = String(actor ?? "");
  const colon = text.indexOf(":");
  if (colon < 0) return text === "system" ? t("actor_system") : text;
  const role = text.slice(0, colon);
  return t("actor_named", { name: text.slice(colon + 1), role: termOr(`role_${role}`, role) });
}
