// The dispatcher page: sign in with a token, load the state over REST, then follow /ws/dispatch.

import { Api, ApiError } from "./api.js";
import { Alarm, announce, notify } from "./announce.js";
import { P1Banner, bannerEntries } from "./banner.js";
import { CrewBoard } from "./crewboard.js";
import { byId, formatClock, formatDuration } from "./dom.js";
import { IncidentPanel } from "./incident.js";
import { DispatchMap } from "./map.js";
import { CLOSED_STATUSES, Model, OPEN_STATUSES, isOpen, label } from "./model.js";
import { QueueView } from "./queue.js";
import { RelayClient } from "./relay.js";
import { StatsPanel } from "./stats.js";

const TOKEN_KEY = "posbon.token";
const TICK_MS = 1000;
const MAP_REFRESH_MS = 10_000;
const CLOSED_LOOKBACK_MS = 7 * 24 * 3600 * 1000;
const CLOSED_FETCHED = 100;

function statusQuery(statuses) {
  return statuses.map((status) => `status=${status}`).join("&");
}

class DispatcherConsole {
  constructor(api, config, alarm) {
    this.api = api;
    this.config = config;
    this.alarm = alarm;
    this.model = new Model();
    this.loading = false;
    this.loadAgain = null;
    this.buffered = [];
    this.renderQueued = false;
    this.map = new DispatchMap(byId("map"), config, api, (id) => this.open(id, false));
    this.queue = new QueueView(this.model, config, (id) => this.open(id, true));
    this.banner = new P1Banner((id) => this.open(id, true));
    this.lateIds = new Set(); // unhandled P1s already announced as late
    this.crewBoard = new CrewBoard(this.model, config, (id) => this.open(id, true));
    this.incident = new IncidentPanel(this.model, api, this.map);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.relay = new RelayClient(`${scheme}//${location.host}/ws/dispatch`, api.token, {
      onEvent: (event) => this.onEvent(event),
      onFreshState: (reason) => this.loadEverything(reason),
      onState: (state, detail) => {
        byId("connection").textContent = `Connection: ${detail}`;
      },
      onAuthFailed: (code) =>
        signOut(code === 4403 ? "This token's role cannot use the dispatcher view." : "The token was refused."),
    });
  }

  start() {
    this.map.loadBasemap().catch((error) => notify(`The outline map could not be loaded: ${error.message}`));
    this.relay.start();
    setInterval(() => this.tick(), TICK_MS);
    setInterval(() => this.renderMap(), MAP_REFRESH_MS);
  }

  async open(incidentId, focus) {
    this.queue.selectedId = incidentId;
    this.queue.render(this.api.now());
    await this.incident.open(incidentId, { focus });
  }

  /** A REST snapshot; relay events arriving meanwhile are kept and applied on top of it. */
  async loadEverything(reason) {
    if (this.loading) {
      this.loadAgain = reason; // what is loading now may predate what the server just said
      return;
    }
    this.loading = true;
    document.documentElement.dataset.state = "loading";
    try {
      const since = new Date(this.api.now() - CLOSED_LOOKBACK_MS).toISOString();
      const [sites, cameras, crews, open, closed] = await Promise.all([
        this.api.all("/api/v1/sites"),
        this.api.all("/api/v1/cameras"),
        this.api.all("/api/v1/crews"),
        this.api.all(`/api/v1/incidents?sort=queue&${statusQuery(OPEN_STATUSES)}`),
        this.api.get(
          `/api/v1/incidents?sort=recent&${statusQuery(CLOSED_STATUSES)}` +
            `&since=${encodeURIComponent(since)}&limit=${CLOSED_FETCHED}`,
        ),
      ]);
      this.model.replace({ incidents: [...open, ...closed], crews, sites });
      this.map.showSites(sites, cameras);
    } catch (error) {
      this.loading = false;
      this.loadAgain = null;
      this.buffered = []; // the fresh snapshot after starting over covers these
      notify(`Could not load the current state (${error.message}); retrying.`);
      this.relay.startOver("state not loaded");
      return;
    }
    this.loading = false;
    document.documentElement.dataset.state = "loaded";
    const waiting = this.buffered;
    this.buffered = [];
    for (const event of waiting) this.apply(event);
    if (reason !== "start") notify(`Reloaded everything from the server (${reason}).`);
    if (this.incident.incidentId !== null) this.incident.open(this.incident.incidentId, { focus: false });
    this.render();
    if (this.loadAgain) {
      const again = this.loadAgain;
      this.loadAgain = null;
      await this.loadEverything(again);
    }
  }

  onEvent(event) {
    if (this.loading) this.buffered.push(event);
    else this.apply(event);
  }

  apply(event) {
    const effect = this.model.apply(event);
    if (effect.isNewAlert && effect.alert.priority === 1) this.announceAlert(effect.alert);
    if (effect.escalation) this.announceEscalation(effect.escalation);
    this.incident.changed(effect);
    this.render();
  }

  announceAlert(alert) {
    const place = alert.site.name || alert.site.address || "an unknown place";
    announce(`New P1 alert: ${label(alert.kind)} at ${place} (incident #${alert.incident_id}, from ${alert.source}).`);
    this.alarm.play();
  }

  announceEscalation(escalation) {
    const proposed = escalation.proposed ? ` Proposed: ${escalation.proposed.name}, ${escalation.proposed.reason}.` : "";
    announce(
      `Escalation: ${this.model.crewName(escalation.crew_id)} has not acknowledged incident ` +
        `#${escalation.incident_id} in ${Math.round(escalation.waited_s)} s.${proposed}`,
    );
    this.alarm.play();
  }

  /** Coalesce a burst of events into one redraw. */
  render() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.tick();
      this.renderMap();
    });
  }

  tick() {
    const nowMs = this.api.now();
    byId("clock").textContent = formatClock(nowMs);
    this.queue.render(nowMs);
    this.crewBoard.render(nowMs);
    const entries = bannerEntries(this.model, nowMs, this.config);
    this.banner.render(entries);
    this.alertNewlyLate(entries.filter((entry) => entry.key.startsWith("p1-") && entry.late));
    this.alarm.keepRinging(this.model.unhandledP1().length > 0);
  }

  /** A P1 that turns late (no crew within its limit) is announced and sounded once more. */
  alertNewlyLate(lateEntries) {
    const fresh = lateEntries.filter((entry) => !this.lateIds.has(entry.incidentId));
    this.lateIds = new Set(lateEntries.map((entry) => entry.incidentId));
    if (fresh.length === 0) return;
    const limit = formatDuration(this.config.queue_aging_s["1"]);
    const ids = fresh.map((entry) => `#${entry.incidentId}`).join(", ");
    announce(`P1 LATE: no crew sent within ${limit} to incident ${ids}.`);
    this.alarm.play();
  }

  renderMap() {
    this.map.showIncidents([...this.model.incidents.values()].filter(isOpen));
    this.map.showCrews([...this.model.crews.values()], this.api.now());
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (message) sessionStorage.setItem("posbon.signin-message", message);
  location.reload();
}

async function begin(token, alarm) {
  const api = new Api(token, null);
  const config = await api.get("/api/v1/web/config");
  api.onUnauthorized = () => signOut("The token was refused (revoked?); sign in again.");
  sessionStorage.setItem(TOKEN_KEY, token);
  document.documentElement.dataset.relay = "connecting";
  byId("signin").hidden = true;
  byId("console").hidden = false; // before the map is made, so Leaflet measures a real size
  byId("sign-out").hidden = false;
  byId("stats-toggle").hidden = false;
  alarm.arm();
  new StatsPanel(api);
  new DispatcherConsole(api, config, alarm).start();
}

function explain(error) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 401) return "This token is unknown or revoked.";
  if (error.status === 403) return "This token's role cannot use the dispatcher view (use a dispatcher token).";
  return error.message;
}

function main() {
  const alarm = new Alarm(byId("sound-toggle"), byId("sound-blocked"));
  const form = byId("signin-form");
  const input = byId("token");
  byId("signin-error").textContent = sessionStorage.getItem("posbon.signin-message") ?? "";
  sessionStorage.removeItem("posbon.signin-message");
  byId("sign-out").addEventListener("click", () => signOut(""));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alarm.unlock(); // the sign-in click is the user gesture browsers want before playing sound
    byId("signin-error").textContent = "";
    try {
      await begin(input.value.trim(), alarm);
    } catch (error) {
      byId("signin-error").textContent = explain(error);
      input.focus();
    }
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    // A reload keeps the session; sound needs one click on "Sound" (no gesture happened yet).
    begin(saved, alarm).catch((error) => {
      if (error instanceof ApiError && error.status === 401) sessionStorage.removeItem(TOKEN_KEY);
      byId("signin-error").textContent = explain(error);
      input.focus();
    });
  } else {
    input.focus();
  }
}

main();
