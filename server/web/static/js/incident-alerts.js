// The alerts behind the open incident: each with its kind, source, time, description and the
// device's details, a snapshot among them shown on request (our own snapshot routes need the
// token, so the image is fetched, not linked).

import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { kindLabel, plain } from "./words.js";

const SNAPSHOT_KEY = /snapshot|image|photo|frame|picture/i;

export class IncidentAlerts {
  /** `current()` gives the open incident's id (null: none). */
  constructor(model, api, current) {
    this.model = model;
    this.api = api;
    this.current = current;
  }

  clear() {
    replaceChildren(byId("incident-alerts"));
  }

  async load() {
    const incidentId = this.current();
    const alerts = await this.api.get(`/api/v1/alerts?incident_id=${incidentId}`).catch(() => []);
    for (const alert of alerts) this.model.putAlert(alert);
    if (incidentId === this.current()) this.render();
  }

  render() {
    const alerts = [...this.model.alerts.values()]
      .filter((alert) => alert.incident_id === this.current())
      .sort((a, b) => a.id - b.id);
    replaceChildren(byId("incident-alerts"), alerts.map((alert) => this.alertItem(alert)));
  }

  alertItem(alert) {
    const details = Object.entries(alert.details ?? {});
    const rows = [
      [t("fact_kind"), kindLabel(alert.kind)],
      [t("alert_source"), alert.source],
      [t("alert_received"), formatTime(alert.received_at)],
    ];
    if (alert.description) rows.push([t("alert_description"), alert.description]);
    const heading = t("alert_heading", { id: alert.id, priority: alert.priority, kind: kindLabel(alert.kind), source: alert.source });
    const possible = alert.details?.possible === true;
    const item = h(
      "li",
      { dataset: { alertId: alert.id }, class: possible && "alert-possible" },
      possible ? h("span", { class: "possible-tag" }, t("possible_tag")) : null,
      h("strong", {}, heading),
      possible ? this.possibleNote(alert.details) : null,
      h("dl", {}, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    );
    const detailList = h("dl");
    for (const [key, value] of details) {
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      const isSnapshot = typeof value === "string" && SNAPSHOT_KEY.test(key);
      detailList.append(h("dt", {}, plain(key)), h("dd", {}, isSnapshot ? this.snapshotControl(alert, value) : shown));
    }
    if (details.length > 0) item.append(detailList);
    return item;
  }

  /** A plate matched with a character the reader was unsure of: say so before anything else. */
  possibleNote(details) {
    const words = { listed: details.listed_plate ?? "", read: details.display ?? details.plate ?? "" };
    return h("p", { class: "possible-note" }, t("possible_match", words));
  }

  snapshotControl(alert, url) {
    if (/^https?:\/\//i.test(url)) {
      return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, t("open_snapshot"));
    }
    if (!url.startsWith("/")) return url;
    // Our own routes need the token, which a plain link cannot carry: fetch, then show.
    const button = h("button", { type: "button" }, t("show_snapshot"));
    button.addEventListener("click", async () => {
      try {
        const blob = await this.api.blob(url);
        const image = h("img", { class: "snapshot", alt: t("snapshot_alt", { id: alert.id }) });
        image.src = URL.createObjectURL(blob);
        button.replaceWith(image);
      } catch (error) {
        notify(t("snapshot_failed", { reason: error.message }));
      }
    });
    return button;
  }
}
