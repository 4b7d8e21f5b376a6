// The statistics panel: the figures a city publishes for a period (signals and incidents per
// district and kind, with outcomes) and the response intervals p50/p90 against their targets.
// The CSV is fetched with the bearer token and handed to the browser as a blob, because a plain
// link cannot carry the token (it is not a cookie); it is asked for the very period on screen.

import { notify } from "./announce.js";
import { byId, h, replaceChildren } from "./dom.js";
import { formatDateTime, plural, t } from "./i18n.js";
import { kindLabel, statusLabel } from "./words.js";

const HOUR_MS = 3600 * 1000;
const PERIODS = {
  "24h": { ms: 24 * HOUR_MS },
  "7d": { ms: 7 * 24 * HOUR_MS },
  "30d": { ms: 30 * 24 * HOUR_MS },
};
const COUNTS = ["signals", "incidents", "prevented", "detained", "solved", "false_alarms"];
const REVOKE_AFTER_MS = 60_000; // the download has started long before; then free the blob

/** 46.4 → "46 s", 800 → "13 min 20 s", 600 → "10 min". */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined) return t("stats_no_data");
  const total = Math.round(seconds);
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  if (minutes === 0) return t("duration_s", { s: rest });
  return rest === 0 ? t("duration_min", { min: minutes }) : t("duration_min_s", { min: minutes, s: rest });
}

function verdict(withinTarget) {
  if (withinTarget === null) return { text: t("stats_no_data"), state: "none" };
  return withinTarget
    ? { text: t("stats_within_target"), state: "within" }
    : { text: t("stats_over_target"), state: "over" };
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function endpoint(name) {
  const text = t(`interval_${name}`);
  return text === `interval_${name}` ? statusLabel(name) : text;
}

function fileDate(text) {
  return text.slice(0, 16).replace(":", "");
}

export class StatsPanel {
  constructor(api) {
    this.api = api;
    this.shown = null; // {since, until} of the figures on screen, so the CSV matches them
    this.requests = 0;
    this.toggle = byId("stats-toggle");
    this.section = byId("stats");
    this.toggle.addEventListener("click", () => this.setOpen(this.section.hidden));
    byId("stats-close").addEventListener("click", () => this.setOpen(false));
    byId("stats-download").addEventListener("click", () => this.download());
    for (const radio of this.section.querySelectorAll('input[name="stats-period"]')) {
      radio.addEventListener("change", () => this.load());
    }
  }

  get period() {
    return this.section.querySelector('input[name="stats-period"]:checked').value;
  }

  setOpen(open) {
    this.section.hidden = !open;
    byId("console").classList.toggle("with-stats", open);
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      byId("stats-title").focus();
      this.load();
    } else {
      this.toggle.focus();
    }
  }

  async load() {
    const request = ++this.requests;
    const until = new Date(this.api.now());
    const since = new Date(until.getTime() - PERIODS[this.period].ms);
    this.section.dataset.state = "loading";
    byId("stats-download").disabled = true;
    try {
      const query = `since=${encodeURIComponent(since.toISOString())}&until=${encodeURIComponent(until.toISOString())}`;
      const stats = await this.api.get(`/api/v1/stats?${query}`);
      if (request !== this.requests) return; // a newer choice of period is on its way
      this.shown = { since: stats.since, until: stats.until };
      this.render(stats);
      this.section.dataset.state = "loaded";
      byId("stats-download").disabled = false;
    } catch (error) {
      if (request !== this.requests) return;
      this.section.dataset.state = "error";
      byId("stats-summary").textContent = t("stats_failed", { reason: error.message });
    }
  }

  render(stats) {
    const signals = stats.groups.reduce((sum, group) => sum + group.signals, 0);
    const incidents = stats.groups.reduce((sum, group) => sum + group.incidents, 0);
    byId("stats-summary").textContent = t("stats_summary", {
      period: t(`stats_period_${this.period}`),
      since: formatDateTime(stats.since),
      until: formatDateTime(stats.until),
      counts: `${plural("signals_n", signals)}, ${plural("incidents_n", incidents)}`,
    });
    this.renderGroups(stats.groups);
    this.renderIntervals(stats.intervals);
  }

  renderGroups(groups) {
    const table = byId("stats-groups");
    const cells = (row) => COUNTS.map((name) => h("td", { class: "number", dataset: { field: name } }, row[name]));
    replaceChildren(
      table.tBodies[0],
      groups.length === 0
        ? h("tr", {}, h("td", { colspan: 2 + COUNTS.length }, t("stats_nothing")))
        : groups.map((group) =>
            h(
              "tr",
              { dataset: { district: group.district, kind: group.kind } },
              h("th", { scope: "row" }, group.district || t("stats_unknown_district")),
              h("td", {}, kindLabel(group.kind)),
              cells(group),
            ),
          ),
    );
    const totals = Object.fromEntries(COUNTS.map((name) => [name, groups.reduce((sum, g) => sum + g[name], 0)]));
    replaceChildren(
      table.tFoot,
      h(
        "tr",
        { class: "totals" },
        h("th", { scope: "row" }, t("stats_all_districts")),
        h("td", {}, t("stats_all_kinds")),
        cells(totals),
      ),
    );
  }

  renderIntervals(intervals) {
    replaceChildren(
      byId("stats-intervals").tBodies[0],
      intervals.map((interval) => {
        const result = verdict(interval.p90_within_target);
        return h(
          "tr",
          { dataset: { interval: interval.name } },
          h("th", { scope: "row" }, `${capitalised(endpoint(interval.start))} → ${endpoint(interval.end)}`),
          h("td", { class: "number" }, interval.count),
          h("td", { class: "number" }, formatSeconds(interval.p50_s)),
          h("td", { class: "number" }, formatSeconds(interval.p90_s)),
          h("td", { class: "number" }, formatSeconds(interval.target_s)),
          h("td", { class: `verdict verdict-${result.state}` }, result.text),
        );
      }),
    );
  }

  async download() {
    if (this.shown === null) return;
    const { since, until } = this.shown;
    const query = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
    try {
      const blob = await this.api.blob(`/api/v1/stats/export.csv?${query}`);
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: `posbon-stats-${fileDate(since)}-${fileDate(until)}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
      notify(t("stats_downloaded"));
    } catch (error) {
      notify(t("stats_download_failed", { reason: error.message }));
    }
  }
}
