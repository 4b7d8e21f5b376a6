// The P1 banner: one button per thing that needs the dispatcher now (a P1 no crew was sent to,
// a dispatch the crew has not acknowledged after escalation), each opening its incident. It is
// drawn from the model on every tick, so an entry leaves as soon as its incident is dispatched,
// acknowledged or closed, and the banner hides when none is left.

import { byId, formatDuration, h, renderRows, setText } from "./dom.js";
import { aging } from "./model.js";

/** The banner's entries, P1s first (oldest first), then escalated dispatches. */
export function bannerEntries(model, nowMs, config) {
  const waiting = model.unhandledP1().map((incident) => {
    const age = aging(incident, nowMs, config.queue_aging_s);
    const waited = `${age.text} ${formatDuration(age.waitedS)} (limit ${formatDuration(age.limitS)})`;
    return {
      key: `p1-${incident.id}`,
      incidentId: incident.id,
      late: age.state === "late",
      text: `P1 #${incident.id} ${incident.title}: ${waited}`, // the title names the place
    };
  });
  const escalated = [...model.escalated.values()].map((escalation) => ({
    key: `escalated-${escalation.incident_id}`,
    incidentId: escalation.incident_id,
    late: true,
    text:
      `Escalation: ${model.crewName(escalation.crew_id)} has not acknowledged incident ` +
      `#${escalation.incident_id}`,
  }));
  return [...waiting, ...escalated];
}

export class P1Banner {
  constructor(onOpen) {
    this.onOpen = onOpen;
    this.region = byId("p1-banner");
    this.list = byId("p1-list");
  }

  render(entries) {
    renderRows(this.list, entries, (entry) => entry.key, (entry) => this.build(entry), (item, entry) => {
      setText(item.firstChild, entry.text);
      item.classList.toggle("late", entry.late);
    });
    setText(byId("p1-count"), `(${entries.length})`);
    this.region.hidden = entries.length === 0;
  }

  build(entry) {
    const button = h("button", { type: "button", class: "p1-entry" }, "");
    button.addEventListener("click", () => this.onOpen(entry.incidentId));
    return h("li", { dataset: { incidentId: entry.incidentId } }, button);
  }
}
