// What the page knows (incidents, crews, sites, alerts) and the rules it shows them by.
// A REST snapshot and a relay event may describe the same change in either order, so every merge
// keeps the newer version of a record and applying anything twice changes nothing.

import { parseTime } from "./dom.js";
import { formatNumber, has, t } from "./i18n.js";

export const RECENTLY_CLOSED_MS = 24 * 3600 * 1000;
export const RECENTLY_CLOSED_SHOWN = 20;
const AGING_SOON_FRACTION = 0.5;

// The incident statuses, the moves between them and the outcomes, as the server embeds them in
// the page (server/incidents/vocabulary.py); the server validates every move anyway.
const VOCABULARY = JSON.parse(document.getElementById("posbon-vocabulary").textContent);
export const CLOSED_STATUSES = VOCABULARY.closed;
export const OPEN_STATUSES = VOCABULARY.statuses.filter((status) => !CLOSED_STATUSES.includes(status));
export const TRANSITIONS = VOCABULARY.transitions;
export const DISPATCHABLE = VOCABULARY.dispatchable;
export const OUTCOMES = VOCABULARY.outcomes;

// Where one of the server's words is shown without saying which vocabulary it is from.
const VOCABULARIES = ["status_", "crew_status_", "outcome_", "kind_"];

/** A server word (status, crew status, outcome, kind) in the page's language; words.js names the
 * vocabulary, this is the fallback that tries each, then shows the word itself. */
export function label(word) {
  const text = String(word ?? "");
  const prefix = VOCABULARIES.find((candidate) => has(candidate + text));
  return prefix === undefined ? text.replaceAll("_", " ") : t(prefix + text);
}

export function isOpen(incident) {
  return OPEN_STATUSES.includes(incident.status);
}

function byPriorityThenAge(a, b) {
  return a.priority - b.priority || parseTime(a.created_at) - parseTime(b.created_at) || a.id - b.id;
}

function incidentVersion(incident) {
  return parseTime(incident.updated_at);
}

function crewVersion(crew) {
  return Math.max(parseTime(crew.status_since) || 0, parseTime(crew.position_at) || 0);
}

export class Model {
  constructor() {
    this.incidents = new Map();
    this.crews = new Map();
    this.sites = [];
    this.alerts = new Map();
    this.escalated = new Map(); // incident id → escalation data, while it stays dispatched
  }

  /** Start again from a REST snapshot (the page re-applies events that came in meanwhile). */
  replace({ incidents, crews, sites }) {
    this.incidents = new Map();
    for (const incident of incidents) this.putIncident(incident);
    this.crews = new Map(crews.map((crew) => [crew.id, crew]));
    this.sites = sites;
    this.escalated = new Map();
  }

  putIncident(incident) {
    const known = this.incidents.get(incident.id);
    if (known !== undefined && incidentVersion(known) > incidentVersion(incident)) return false;
    this.incidents.set(incident.id, incident);
    if (incident.status !== "dispatched") this.escalated.delete(incident.id);
    return true;
  }

  putCrew(crew) {
    const known = this.crews.get(crew.id);
    if (known !== undefined && crewVersion(known) > crewVersion(crew)) return false;
    this.crews.set(crew.id, crew);
    return true;
  }

  putAlert(alert) {
    const isNew = !this.alerts.has(alert.id);
    this.alerts.set(alert.id, alert);
    return isNew;
  }

  /** Apply one relay event; returns what it touched, for the views. */
  apply(event) {
    const data = event.data;
    switch (event.type) {
      case "incident":
        return { incident: this.putIncident(data) ? data : null };
      case "crew":
        return { crew: this.putCrew(data) ? data : null };
      case "alert":
        return { alert: data, isNewAlert: this.putAlert(data) };
      case "timeline":
        return { timeline: data };
      case "escalation":
        this.escalated.set(data.incident_id, data);
        return { escalation: data };
      default:
        return {}; // new event types from newer servers are ignored, not fatal
    }
  }

  crewName(crewId) {
    if (crewId === null || crewId === undefined) return "";
    return this.crews.get(crewId)?.name ?? t("crew_number", { id: crewId });
  }

  openIncidentOf(crewId) {
    for (const incident of this.incidents.values()) {
      if (incident.crew_id === crewId && isOpen(incident)) return incident;
    }
    return null;
  }

  /** Open incidents no crew was sent to yet, highest priority first, then oldest first. */
  pending() {
    return [...this.incidents.values()].filter((incident) => incident.status === "new").sort(byPriorityThenAge);
  }

  /** The P1s nobody has handled yet: pending ones (dispatching or closing one handles it). */
  unhandledP1() {
    return this.pending().filter((incident) => incident.priority === 1);
  }

  /** Pending / active / recently closed, each sorted as a dispatcher reads it. */
  queue(nowMs) {
    const all = [...this.incidents.values()];
    const closed = all
      .filter((incident) => !isOpen(incident))
      .filter((incident) => nowMs - parseTime(incident.closed_at ?? incident.updated_at) < RECENTLY_CLOSED_MS)
      .sort((a, b) => parseTime(b.closed_at) - parseTime(a.closed_at) || b.id - a.id)
      .slice(0, RECENTLY_CLOSED_SHOWN);
    return {
      pending: this.pending(),
      active: all
        .filter((incident) => isOpen(incident) && incident.status !== "new")
        .sort(byPriorityThenAge),
      closed,
    };
  }
}

/** How late a pending incident is: state "ok" | "soon" | "late" and the words to show. */
export function aging(incident, nowMs, agingSeconds) {
  const waitedS = (nowMs - parseTime(incident.created_at)) / 1000;
  const limitS = agingSeconds[String(incident.priority)] ?? agingSeconds["4"];
  if (waitedS >= limitS) return { state: "late", waitedS, limitS, text: t("aging_late") };
  if (waitedS >= limitS * AGING_SOON_FRACTION) return { state: "soon", waitedS, limitS, text: t("aging_soon") };
  return { state: "ok", waitedS, limitS, text: t("aging_waiting") };
}

/** Seconds a dispatch has gone unacknowledged, or null when nothing is awaited or not yet late. */
export function unacknowledgedFor(incident, nowMs, thresholdS, escalated) {
  if (incident === null || incident.status !== "dispatched") return null;
  const waitedS = (nowMs - parseTime(incident.updated_at)) / 1000;
  return waitedS >= thresholdS || escalated ? waitedS : null;
}

/** Age of a crew's position in seconds (null when it has none) and whether it is stale. */
export function positionAge(crew, nowMs, staleS) {
  if (crew.lat === null || crew.lon === null || !crew.position_at) return { ageS: null, stale: true };
  const ageS = Math.max(0, (nowMs - parseTime(crew.position_at)) / 1000);
  return { ageS, stale: ageS > staleS };
}

/** Why a crew is suggested (GET /incidents/{id}/suggestions), in the page's language, from the
 * suggestion's numbers rather than the server's English `reason`. */
export function suggestionReason(suggestion) {
  const km = formatNumber(suggestion.distance_m / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const minutes = Math.max(1, Math.ceil(suggestion.eta_s / 60));
  const ageS = suggestion.position_age_s;
  const age =
    ageS === null || ageS === undefined
      ? t("suggestion_age_unknown")
      : t("suggestion_age", {
          age: ageS < 120 ? t("duration_s", { s: Math.round(ageS) }) : t("duration_min", { min: Math.round(ageS / 60) }),
        });
  const eta = t(suggestion.eta_source === "estimate" ? "suggestion_eta_estimate" : "suggestion_eta", { min: minutes });
  return [t("suggestion_distance", { km }), eta, age].join(", ");
}
