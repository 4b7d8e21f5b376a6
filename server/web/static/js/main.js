// The dispatcher page: sign in (a person's password and code, which opens a session kept in an
// HttpOnly cookie, or a token kept in this tab), load the state over REST, then follow
// /ws/dispatch.

import { Api, ApiError } from "./api.js";
import { Alarm, announce, notify } from "./announce.js";
import { P1Banner, bannerEntries } from "./banner.js";
import { offerCityAccount } from "./city-account.js";
import { CrewBoard } from "./crewboard.js";
import { byId, formatClock, formatDuration } from "./dom.js";
import { linkState, onLanguageChange, t } from "./i18n.js";
import { IncidentPanel } from "./incident.js";
import { bindShortcuts } from "./keys.js";
import { DispatchMap } from "./map.js";
import { CLOSED_STATUSES, Model, OPEN_STATUSES, isOpen, suggestionReason } from "./model.js";
import { OnTestView } from "./on-test.js";
import { PlateSearchPanel } from "./plate-search.js";
import { QueueView } from "./queue.js";
import { RelayClient } from "./relay.js";
import { ReviewPanel } from "./review.js";
import { bindScheme } from "./scheme.js";
import { StatsPanel } from "./stats.js";
import { csrfToken, endSession, refusal, signIn } from "./session.js";
import { showWho } from "./who.js";
import { kindLabel } from "./words.js";

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
    const dispatchRecommended = (id) => this.dispatchRecommended(id);
    // The map's marker popup offers "dispatch recommended" through this callback (map.js is H5's).
    this.map = new DispatchMap(byId("map"), config, api, (id) => this.open(id, false), {
      onDispatchRecommended: dispatchRecommended,
    });
    this.queue = new QueueView(this.model, config, (id) => this.open(id, true), dispatchRecommended);
    this.banner = new P1Banner((id) => this.open(id, true), dispatchRecommended);
    this.lateIds = new Set(); // unhandled P1s already announced as late
    this.crewBoard = new CrewBoard(this.model, config, (id) => this.open(id, true));
    this.incident = new IncidentPanel(this.model, api, this.map);
    this.onTest = new OnTestView(api, this.model);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // A session's hello carries no token: the server takes the upgrade request's cookie.
    this.relay = new RelayClient(`${scheme}//${location.host}/ws/dispatch`, api.token ?? "", {
      onEvent: (event) => this.onEvent(event),
      onFreshState: (reason) => this.loadEverything(reason),
      onState: (state, detail, params) => {
        byId("connection").textContent = t("connection", { state: linkState(state, params) });
      },
      onAuthFailed: (code) =>
        signOut(code === 4403 ? t("token_role_refused") : t("token_refused")),
    });
  }

  start() {
    this.map.loadBasemap().catch((error) => notify(t("basemap_failed", { reason: error.message })));
    this.relay.start();
    setInterval(() => this.tick(), TICK_MS);
    setInterval(() => this.renderMap(), MAP_REFRESH_MS);
  }

  async open(incidentId, focus) {
    this.queue.selectedId = incidentId;
    this.queue.render(this.api.now());
    await this.incident.open(incidentId, { focus });
  }

  /** `n`: the next pending incident after the open one (P1s first, oldest first), round again. */
  openNext() {
    const pending = this.model.pending();
    if (pending.length === 0) {
      notify(t("nothing_pending"));
      return;
    }
    const at = pending.findIndex((incident) => incident.id === this.incident.incidentId);
    this.open(pending[(at + 1) % pending.length].id, true);
  }

  /** Open the incident (so what is sent is in view), then send its recommended crew. */
  async dispatchRecommended(incidentId) {
    if (this.incident.incidentId !== incidentId) this.open(incidentId, false);
    await this.incident.dispatchRecommended(incidentId);
  }

  /** The shortcuts that need an open incident say so when there is none. */
  withIncident(action) {
    if (this.incident.incidentId === null) notify(t("open_incident_first"));
    else action(this.incident.incidentId);
  }

  shortcuts() {
    const focusOn = (id) => {
      const field = byId(id);
      if (field.closest("[hidden]") !== null) {
        notify(t("not_allowed_now"));
        return;
      }
      field.scrollIntoView({ block: "nearest" });
      field.focus();
    };
    return {
      n: () => this.openNext(),
      d: () => this.withIncident((id) => this.dispatchRecommended(id)),
      m: () => this.withIncident(() => focusOn("note-text")),
      r: () => this.withIncident(() => focusOn("resolve-outcome")),
    };
  }

  /** The language changed: every view draws its words again. */
  redraw() {
    this.incident.redraw();
    this.render();
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
      await this.onTest.load();
    } catch (error) {
      this.loading = false;
      this.loadAgain = null;
      this.buffered = []; // the fresh snapshot after starting over covers these
      notify(t("load_failed", { reason: error.message }));
      this.relay.startOver("state not loaded");
      return;
    }
    this.loading = false;
    document.documentElement.dataset.state = "loaded";
    const waiting = this.buffered;
    this.buffered = [];
    for (const event of waiting) this.apply(event);
    if (reason !== "start") notify(t("reloaded", { reason }));
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
    if (event.type === "report") this.incident.reportChanged(event.data.incident_id);
    // Notices and test windows are not the model's: a test signal is never an alarm here.
    if (event.type === "notice") this.incident.noticed(event.data);
    if (event.type === "site_test" || event.type === "test_signal") this.onTest.apply(event);
    const effect = this.model.apply(event);
    if (effect.isNewAlert && effect.alert.priority === 1) this.announceAlert(effect.alert);
    if (effect.escalation) this.announceEscalation(effect.escalation);
    this.incident.changed(effect);
    this.render();
  }

  announceAlert(alert) {
    const place = alert.site.name || alert.site.address || t("unknown_place");
    const words = { kind: kindLabel(alert.kind), place, id: alert.incident_id, source: alert.source };
    announce(t("announce_p1", words));
    this.alarm.play();
  }

  announceEscalation(escalation) {
    const proposed = escalation.proposed
      ? ` ${t("announce_proposed", { crew: escalation.proposed.name, reason: suggestionReason(escalation.proposed) })}`
      : "";
    const words = { crew: this.model.crewName(escalation.crew_id), id: escalation.incident_id };
    announce(t("announce_escalation", { ...words, s: Math.round(escalation.waited_s) }) + proposed);
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
    this.onTest.render(nowMs);
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
    announce(t("announce_late", { limit, ids }));
    this.alarm.play();
  }

  renderMap() {
    this.map.showIncidents([...this.model.incidents.values()].filter(isOpen));
    this.map.showCrews([...this.model.crews.values()], this.api.now());
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  forgetSession();
  if (message) sessionStorage.setItem("posbon.signin-message", message);
  location.reload();
}

/** Drop the readable CSRF cookie of a session the server no longer knows (no reload loop). */
function forgetSession() {
  document.cookie = "posbon_csrf=; Max-Age=0; Path=/; SameSite=Strict";
}

async function endAndSignOut(everywhere) {
  try {
    await endSession(everywhere);
  } catch (error) {
    console.warn("signing out failed:", error.message);
  }
  signOut("");
}

/** The header's Sign out: a token's page signs out at once; a session's offers a small menu
 * (this browser, or everywhere) instead of a second header button. */
function bindSignOut(session) {
  const button = byId("sign-out");
  const menu = byId("sign-out-menu");
  if (!session) {
    button.addEventListener("click", () => signOut(""));
    return;
  }
  button.setAttribute("aria-haspopup", "menu");
  button.setAttribute("aria-expanded", "false");
  const show = (open) => {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) menu.querySelector("button").focus();
  };
  button.addEventListener("click", () => show(menu.hidden));
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      show(false);
      button.focus();
    }
  });
  for (const item of menu.querySelectorAll("[data-sign-out]")) {
    item.addEventListener("click", () => endAndSignOut(item.dataset.signOut === "everywhere"));
  }
}

/** Start the console with a token, or with `null`: this browser's session cookie. */
async function begin(token, alarm) {
  const api = new Api(token, null);
  const config = await api.get("/api/v1/web/config");
  api.onUnauthorized = () => signOut(t(token ? "token_refused_again" : "session_ended"));
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  bindSignOut(!token);
  document.documentElement.dataset.relay = "connecting";
  byId("signin").hidden = true;
  byId("console").hidden = false; // before the map is made, so Leaflet measures a real size
  byId("sign-out").hidden = false;
  showWho(api);
  byId("stats-toggle").hidden = false;
  byId("recognitions-toggle").hidden = false;
  byId("plate-search-toggle").hidden = false;
  alarm.arm();
  new StatsPanel(api);
  new ReviewPanel(api);
  new PlateSearchPanel(api);
  const desk = new DispatcherConsole(api, config, alarm);
  bindShortcuts(desk.shortcuts());
  onLanguageChange(() => desk.redraw());
  desk.start();
}

function explain(error) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 401) return t("error_unauthorized");
  if (error.status === 403) return t("token_role_wrong");
  return error.message;
}

/** The form's submit: a token when one is typed, else the username, password and code. */
async function submitSignIn(alarm) {
  const token = byId("token").value.trim();
  if (token) {
    try {
      await begin(token, alarm);
    } catch (error) {
      byId("signin-error").textContent = explain(error);
      byId("token").focus();
    }
    return;
  }
  const username = byId("username").value.trim();
  const password = byId("password").value;
  if (!username || !password) {
    byId("signin-error").textContent = t("signin_missing");
    byId(username ? "password" : "username").focus();
    return;
  }
  try {
    await signIn(username, password, byId("code").value.replace(/\s/g, ""));
  } catch (error) {
    byId("signin-error").textContent = refusal(error);
    byId("code").value = "";
    byId(error.code === "code_required" ? "code" : "password").focus();
    return;
  }
  byId("password").value = "";
  byId("code").value = "";
  try {
    await begin(null, alarm);
  } catch (error) {
    byId("signin-error").textContent = explain(error);
  }
}

function main() {
  bindScheme(byId("scheme-toggle"));
  const alarm = new Alarm(byId("sound-toggle"), byId("sound-blocked"));
  const form = byId("signin-form");
  byId("signin-error").textContent = sessionStorage.getItem("posbon.signin-message") ?? "";
  sessionStorage.removeItem("posbon.signin-message");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    alarm.unlock(); // the sign-in click is the user gesture browsers want before playing sound
    byId("signin-error").textContent = "";
    submitSignIn(alarm);
  });
  // A reload keeps the session (or the tab's token); sound needs one click on "Sound" then.
  const saved = sessionStorage.getItem(TOKEN_KEY);
  const resumed = saved || (csrfToken() ? null : undefined);
  if (resumed !== undefined) {
    begin(resumed, alarm).catch((error) => {
      if (error instanceof ApiError && error.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        forgetSession();
      }
      byId("signin-error").textContent = saved ? explain(error) : t("session_ended");
      byId(saved ? "token" : "username").focus();
      offerCityAccount();
    });
  } else {
    byId("username").focus();
    offerCityAccount();
  }
}

main();
