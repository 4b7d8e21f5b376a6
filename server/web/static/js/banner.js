// The P1 banner: one button per thing that needs the dispatcher now (a P1 no crew was sent to,
// a dispatch the crew has not acknowledged after escalation), each opening its incident; a P1 has
// a second button that dispatches the recommended crew. It is drawn from the model on every tick,
// so an entry leaves as soon as its incident is dispatched, acknowledged or closed, and the
// banner hides when none is left.

import { byId, formatDuration, h, renderRows, setText } from "./dom.js";
import { t } from "./i18n.js";
import { aging } from "./model.js";
import { incidentTitle } from "./words.js";

/** The banner's entries, P1s first (oldest first), then escalated dispatches. */
export function bannerEntries(model, nowMs, config) {
  const waiting = model.unhandledP1().map((incident) => {
    const age = aging(incident, nowMs, config.queue_aging_s);
    const words = {
      state: t(`aging_${age.state === "ok" ? "waiting" : age.state}`),
      waited: formatDuration(age.waitedS),
      limit: formatDuration(age.limitS),
    };
    return {
      key: `p1-${incident.id}`,
      incidentId: incident.id,
      late: age.state === "late",
      canDispatch: true,
      text: t("banner_p1", { id: incident.id, title: incidentTitle(incident), waited: t("aging_text", words) }),
    };
  });
  const escalated = [...model.escalated.values()].map((escalation) => ({
    key: `escalated-${escalation.incident_id}`,
    incidentId: escalation.incident_id,
    late: true,
    canDispatch: false,
    text: t("banner_escalation", { crew: model.crewName(escalation.crew_id), id: escalation.incident_id }),
  }));
  return [...waiting, ...escalated];
}

export class P1Banner {
  constructor(onOpen, onDispatchRecommended) {
    this.onOpen = onOpen;
    this.onDispatchRecommended = onDispatchRecommended;
    this.region = byId("p1-banner");
    this.list = byId("p1-list");
  }

  render(entries) {
    renderRows(this.list, entries, (entry) => entry.key, (entry) => this.build(entry), (item, entry) => {
      setText(item.firstChild, entry.text);
      item.classList.toggle("late", entry.late);
      const send = item.querySelector(".p1-send");
      if (send !== null) {
        setText(send, t("dispatch_recommended"));
        send.setAttribute("aria-label", t("dispatch_recommended_to", { id: entry.incidentId }));
      }
    });
    setText(byId("p1-count"), `(${entries.length})`);
    this.region.hidden = entries.length === 0;
  }

  build(entry) {
    const button = h("button", { type: "button", class: "p1-entry" }, "");
    button.addEventListener("click", () => this.onOpen(entry.incidentId));
    const item = h("li", { dataset: { incidentId: entry.incidentId } }, button);
    if (entry.canDispatch) {
      const send = h("button", { type: "button", class: "p1-send" }, "");
      send.addEventListener("click", () => this.onDispatchRecommended(entry.incidentId));
      item.append(send);
    }
    return item;
  }
}
