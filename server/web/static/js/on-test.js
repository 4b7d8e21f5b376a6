// "On test" in the queue column: the sites and devices a technician or dispatcher put on test
// (server/schedules/on_test.py). Their signals are stored and counted here, never queued: the
// server raises no alert for them, and a `test_signal` event is not an alarm to this page (no
// queue row, no P1 sound). Each window shows until when it runs (it ends by itself then: the
// page drops it on its clock tick), its reason, the signals received so far, a report per zone
// (the installer's proof that every zone reports) and "End now".
//
// Counting is idempotent: a signal is known by its account, code, zone and time, so one that
// is both in the REST report and in a relay event counts once.

import { notify } from "./announce.js";
import { byId, h, parseTime, replaceChildren } from "./dom.js";
import { formatTime, language, plural, t, timeZone } from "./i18n.js";

const WINDOWS_PATH = "/api/v1/tests?limit=100";

/** A window's end: early by hand, or its planned end. */
export function windowEnd(test) {
  const planned = parseTime(test.ends_at);
  const ended = test.ended_at ? parseTime(test.ended_at) : Infinity;
  return Math.min(planned, ended);
}

function signalKey(signal) {
  return [signal.account, signal.code, signal.zone ?? "", parseTime(signal.received_at)].join("|");
}

/** HH:MM in the deployment's time zone. */
function clockHM(epochMs) {
  try {
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timeZone() };
    return new Intl.DateTimeFormat(language(), options).format(new Date(epochMs));
  } catch {
    return formatTime(epochMs).slice(0, 5);
  }
}

export class OnTestView {
  /** `model` gives the sites' names (model.sites). */
  constructor(api, model) {
    this.api = api;
    this.model = model;
    this.tests = new Map(); // id → SiteTest, running or just ended
    this.signals = new Map(); // test id → Set of signal keys
    this.reports = new Map(); // test id → report shown (null while loading)
    this.devices = new Map(); // device id → device (for a device's window)
    this.drawn = "";
  }

  /** The windows running now, with what each has received (after a REST snapshot). */
  async load() {
    const tests = await this.api.get(WINDOWS_PATH).catch(() => null);
    if (tests === null) return;
    const now = this.api.now();
    const running = tests.filter((test) => windowEnd(test) > now);
    this.tests = new Map(running.map((test) => [test.id, test]));
    await Promise.all(running.map((test) => Promise.all([this.loadReport(test.id, false), this.loadDevice(test)])));
    this.render(now, true);
  }

  async loadDevice(test) {
    if (test.device_id === null || this.devices.has(test.device_id)) return;
    const device = await this.api.get(`/api/v1/devices/${test.device_id}`).catch(() => null);
    if (device !== null) this.devices.set(test.device_id, device);
  }

  /** Fetch a window's report: its signals count, and it is shown when `show` (or already open). */
  async loadReport(testId, show) {
    if (show) this.reports.set(testId, null);
    let report;
    try {
      report = await this.api.get(`/api/v1/tests/${testId}/report`);
    } catch (error) {
      if (show) notify(t("on_test_report_failed", { reason: error.message }));
      this.reports.delete(testId);
      return;
    }
    const known = this.signals.get(testId) ?? new Set();
    for (const signal of report.signals) known.add(signalKey(signal));
    this.signals.set(testId, known);
    if (show || this.reports.has(testId)) this.reports.set(testId, report);
  }

  /** A relay event: `site_test` (a window started or ended) or `test_signal` (one received). */
  async apply(event) {
    if (event.type === "site_test") {
      const test = event.data;
      if (windowEnd(test) <= this.api.now()) {
        this.tests.delete(test.id);
        this.reports.delete(test.id);
      } else {
        this.tests.set(test.id, test);
        await this.loadDevice(test);
      }
    } else if (event.type === "test_signal") {
      const signal = event.data;
      const known = this.signals.get(signal.test_id) ?? new Set();
      known.add(signalKey(signal));
      this.signals.set(signal.test_id, known);
      if (this.reports.get(signal.test_id)) await this.loadReport(signal.test_id, false);
    } else {
      return;
    }
    this.render(this.api.now(), true);
  }

  /** The running windows, soonest to end first; drawn again only when something changed. */
  render(nowMs, force = false) {
    const running = [...this.tests.values()].filter((test) => windowEnd(test) > nowMs).sort((a, b) => windowEnd(a) - windowEnd(b));
    const key = [language(), ...running.map((test) => `${test.id}:${this.count(test.id)}`)].join(",");
    if (!force && key === this.drawn) return;
    this.drawn = key;
    byId("on-test").hidden = running.length === 0;
    byId("on-test-count").textContent = running.length ? `(${running.length})` : "";
    replaceChildren(byId("on-test-list"), running.map((test) => this.item(test)));
  }

  count(testId) {
    return this.signals.get(testId)?.size ?? 0;
  }

  /** Who is on test: the site's name, or the device's account and its site. */
  name(test) {
    const siteName = (siteId) => this.model.sites.find((site) => site.id === siteId)?.name ?? t("on_test_site_number", { id: siteId });
    if (test.device_id === null) return siteName(test.site_id);
    const device = this.devices.get(test.device_id);
    const account = device?.account ?? String(test.device_id);
    return device?.site_id ? t("on_test_device_at", { account, site: siteName(device.site_id) }) : t("on_test_device", { account });
  }

  item(test) {
    const report = this.reports.get(test.id);
    const open = this.reports.has(test.id);
    const name = this.name(test);
    return h(
      "li",
      { class: "on-test-item", dataset: { testId: test.id } },
      h("div", { class: "on-test-head" },
        h("strong", { class: "on-test-name" }, name),
        " ",
        h("span", { class: "on-test-until" }, t("on_test_until", { time: clockHM(windowEnd(test)) })),
      ),
      test.reason ? h("p", { class: "on-test-reason" }, test.reason) : "",
      h("p", { class: "on-test-received" }, plural("on_test_signals", this.count(test.id))),
      h("div", { class: "on-test-buttons" },
        h("button", {
          type: "button",
          class: "secondary on-test-report-button",
          "aria-expanded": String(open),
          "aria-label": t("on_test_report_of", { name }),
          onclick: () => this.toggleReport(test.id),
        }, t("on_test_report")),
        h("button", {
          type: "button",
          class: "secondary on-test-end",
          "aria-label": t("on_test_end_of", { name }),
          onclick: () => this.end(test),
        }, t("on_test_end")),
      ),
      open ? reportBlock(report) : "",
    );
  }

  async toggleReport(testId) {
    if (this.reports.has(testId)) this.reports.delete(testId);
    else await this.loadReport(testId, true);
    this.render(this.api.now(), true);
  }

  async end(test) {
    const name = this.name(test);
    try {
      const ended = await (await this.api.request("DELETE", `/api/v1/tests/${test.id}`)).json();
      await this.apply({ type: "site_test", data: ended });
      notify(t("on_test_ended", { name }));
    } catch (error) {
      notify(t("on_test_end_failed", { name, reason: error.message }));
    }
  }
}

/** The report: one line per zone (codes, how many, first and last time), then every signal. */
function reportBlock(report) {
  if (report === null || report === undefined) return h("p", { class: "on-test-report" }, t("on_test_loading"));
  if (report.total === 0) return h("p", { class: "on-test-report" }, t("on_test_nothing_yet"));
  return h(
    "div",
    { class: "on-test-report" },
    h("p", {}, plural("on_test_report_total", report.total)),
    h("table", { class: "on-test-zones" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("on_test_col_zone")),
        h("th", { scope: "col" }, t("on_test_col_codes")),
        h("th", { scope: "col", class: "number" }, t("on_test_col_count")),
        h("th", { scope: "col" }, t("on_test_col_when")),
      )),
      h("tbody", {}, report.zones.map((zone) =>
        h("tr", { dataset: { zone: zone.zone ?? "" } },
          h("td", {}, zone.zone ?? t("on_test_no_zone")),
          h("td", {}, zone.codes.join(", ")),
          h("td", { class: "number" }, String(zone.count)),
          h("td", {}, timeSpan(zone.first_at, zone.last_at)),
        ),
      )),
    ),
  );
}

/** "19:49:55–19:52:10", or one time when both ends fall in the same second. */
function timeSpan(firstAt, lastAt) {
  const [first, last] = [formatTime(firstAt), formatTime(lastAt)];
  return first === last ? first : `${first}–${last}`;
}
