// The crew board: status and time in it, current incident, position age (greyed and labelled
// "stale" past the server's limit), and "NOT ACKNOWLEDGED" while a dispatch waits too long or has
// been escalated by the server. A crew's own status (out of service, returning: set from its
// tablet) shows in words, with a colour that only helps.

import { byId, formatDuration, h, parseTime, renderRows, setText } from "./dom.js";
import { t } from "./i18n.js";
import { positionAge, unacknowledgedFor } from "./model.js";
import { crewStatusLabel } from "./words.js";

export class CrewBoard {
  constructor(model, config, onOpen) {
    this.model = model;
    this.config = config;
    this.onOpen = onOpen;
  }

  render(nowMs) {
    const crews = [...this.model.crews.values()].sort((a, b) => a.name.localeCompare(b.name));
    renderRows(
      byId("crew-board").tBodies[0],
      crews,
      (crew) => crew.id,
      (crew) => h("tr", { dataset: { crewId: crew.id } }, [1, 2, 3, 4, 5, 6].map(() => h("td"))),
      (row, crew) => this.update(row, crew, nowMs),
    );
  }

  update(row, crew, nowMs) {
    const [name, status, since, incidentCell, position, acknowledgement] = row.cells;
    setText(name, crew.name);
    setText(status, crewStatusLabel(crew.status));
    status.className = `crew-status-${crew.status}`;
    row.dataset.status = crew.status;
    setText(since, formatDuration((nowMs - parseTime(crew.status_since)) / 1000));
    const incident = this.model.openIncidentOf(crew.id);
    this.showIncident(incidentCell, incident);
    const age = positionAge(crew, nowMs, this.config.position_stale_s);
    row.classList.toggle("crew-stale", age.stale);
    const ageText = age.ageS === null ? t("no_position") : t("position_age", { age: formatDuration(age.ageS) });
    setText(position, age.stale && age.ageS !== null ? t("position_stale", { age: ageText }) : ageText);
    const waitedS = unacknowledgedFor(
      incident,
      nowMs,
      this.config.unacknowledged_after_s,
      incident !== null && this.model.escalated.has(incident.id),
    );
    if (waitedS === null) {
      setText(acknowledgement, incident?.status === "dispatched" ? t("awaiting_ack") : "");
      acknowledgement.className = "";
    } else {
      const escalated = incident !== null && this.model.escalated.has(incident.id);
      const words = { time: formatDuration(waitedS) };
      setText(acknowledgement, escalated ? t("unacked_escalated", words) : t("unacked", words));
      acknowledgement.className = "marker-unacked";
    }
  }

  showIncident(cell, incident) {
    const wanted = incident === null ? "" : `#${incident.id}`;
    if (cell.textContent === wanted) return;
    if (incident === null) {
      cell.replaceChildren();
      return;
    }
    const open = h("button", { type: "button", class: "open" }, wanted);
    open.addEventListener("click", () => this.onOpen(incident.id));
    cell.replaceChildren(open);
  }
}
