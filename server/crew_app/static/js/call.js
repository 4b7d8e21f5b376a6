// The call screen and the full-screen alert of a new dispatch: what the call is and where, how
// far away, its status (a tap still queued shows as waiting), the buttons and navigation links
// that status allows, the dispatcher's notes and the map's destination. The alert stays up until
// the crew acknowledges it, the call closes or it is taken away.

import { has, t } from "./i18n.js";
import { distanceM } from "./map.js";
import { renderNotes } from "./notes.js";
import { canMove, effectiveStatus } from "./vocabulary.js";

const $ = (id) => document.getElementById(id);
const html = document.documentElement;

/** What the call is, in the tablet's language: its kind (the server's English title only for
 * a kind this app does not know), and the dispatcher's note given with the dispatch. */
function describe(incident) {
  const kind = has(`kind_${incident.kind}`) ? t(`kind_${incident.kind}`) : incident.title || incident.kind;
  return [kind, incident.note].filter(Boolean).join(" — ");
}

function showPriority(element, incident) {
  element.textContent = incident.priority ? t("priority", { n: incident.priority }) : "";
  element.dataset.priority = String(incident.priority ?? "");
}

export class CallScreen {
  /** `here()` gives the tablet's last position {lat, lon}, or null while none is known. */
  constructor(map, alarm, here) {
    this.map = map;
    this.alarm = alarm;
    this.here = here;
    this.alertFor = null; // the incident id the full-screen alert shows
  }

  distanceText(incident) {
    const to = incident.destination ?? incident.site;
    const here = this.here();
    if (here === null || to?.lat == null) return t("distance_unknown");
    return t("distance_km", { km: (distanceM(here, to) / 1000).toFixed(1) });
  }

  render(incident, actions) {
    const status = effectiveStatus(incident, actions);
    const waiting = status !== incident.status;
    showPriority($("call-priority"), incident);
    $("call-what").textContent = describe(incident);
    $("call-site").textContent = incident.site?.name ?? "";
    $("call-address").textContent = incident.destination?.address || incident.site?.address || "";
    $("call-distance").textContent = this.distanceText(incident);
    $("call-status").textContent = t(`status_${status}`) + (waiting ? ` (${t("state_waiting")})` : "");
    $("call-status").dataset.status = status;
    for (const button of document.querySelectorAll("button.action")) {
      button.disabled = !canMove(status, button.dataset.status);
    }
    for (const link of document.querySelectorAll("a.nav")) {
      const href = incident.destination?.[link.dataset.link];
      link.hidden = !href;
      if (href) link.href = href;
    }
    renderNotes(incident.notes ?? []);
    const to = incident.destination ?? incident.site;
    this.map.setDestination(to?.lat, to?.lon, incident.site?.name ?? "");
  }

  renderAlert(incident) {
    if (incident == null) return;
    showPriority($("alert-priority"), incident);
    $("alert").dataset.priority = String(incident.priority ?? "");
    $("alert-what").textContent = describe(incident);
    $("alert-site").textContent = incident.site?.name ?? "";
    $("alert-address").textContent = incident.destination?.address || incident.site?.address || "";
    $("alert-distance").textContent = this.distanceText(incident);
  }

  showAlert(incident) {
    this.alertFor = incident.id;
    html.dataset.alertsShown = String(Number(html.dataset.alertsShown) + 1);
    this.renderAlert(incident);
    $("alert").hidden = false;
    $("alert-ack").focus();
    this.alarm.ring();
  }

  hideAlert() {
    this.alertFor = null;
    $("alert").hidden = true;
  }
}
