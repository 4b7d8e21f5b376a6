// The crew tablet app: wiring. State lives in IndexedDB (db.js); the socket (link.js) brings
// dispatches, the action queue (actions.js) and the sync client (sync.js) take the crew's
// work back to the server whenever there is a link.

import { ActionQueue, REFUSED, SENT, WAITING } from "./actions.js";
import { Alarm } from "./alarm.js";
import { Api } from "./api.js";
import { openDb } from "./db.js";
import { initLanguage, language, setLanguage, t } from "./i18n.js";
import { Link } from "./link.js";
import { CrewMap, distanceM } from "./map.js";
import { Reports } from "./report.js";
import { CONFLICT, PENDING, REJECTED, SyncClient } from "./sync.js";

const BASEMAP_URL = "/api/v1/crew-app/basemap";
const RETRY_EVERY_MS = 15_000;
const POSITION_EVERY_MS = 15_000;
const POSITION_MOVED_M = 50; // a moving car reports sooner than every POSITION_EVERY_MS
// The incident statuses, the moves between them and the outcomes, as the server embeds them in
// the page (server/incidents/vocabulary.py); the worker caches the page, so they work offline.
const VOCABULARY = JSON.parse(document.getElementById("posbon-vocabulary").textContent);
const CLOSED = new Set(VOCABULARY.closed);

const $ = (id) => document.getElementById(id);
const html = document.documentElement;
const app = { db: null, api: null, link: null, actions: null, sync: null, reports: null, map: null, alarm: null };
let here = null; // {lat, lon}
let lastPositionMs = 0;
let lastReported = null;
let alertFor = null; // the incident id the full-screen alert shows

function crewId(stream) {
  const match = /^crew:(\d+)$/.exec(stream ?? "");
  return match === null ? null : Number(match[1]);
}

async function currentIncident() {
  const id = await app.db.meta("current");
  return id === null ? null : ((await app.db.get("incidents", id)) ?? null);
}

/** Whether the server's lifecycle lets an incident move from `status` to `target`. */
function canMove(status, target) {
  return (VOCABULARY.transitions[status] ?? []).includes(target);
}

/** The status shown: the server's, or a queued tap's if that is further along. */
function effectiveStatus(incident, actions) {
  let status = incident.status;
  for (const action of actions) {
    if (action.incident_id === incident.id && action.state === WAITING && canMove(status, action.status)) status = action.status;
  }
  return status;
}

function distanceText(incident) {
  const to = incident.destination ?? incident.site;
  if (here === null || to?.lat == null) return t("distance_unknown");
  return t("distance_km", { km: (distanceM(here, to) / 1000).toFixed(1) });
}

function describe(incident) {
  return [incident.title || incident.kind, incident.note].filter(Boolean).join(" — ");
}

// Rendering.

async function render() {
  const incident = await currentIncident();
  const actions = await app.actions.list();
  $("no-call").hidden = incident !== null;
  $("call-body").hidden = incident === null;
  $("report").hidden = incident === null;
  if (incident !== null) {
    renderCall(incident, actions);
    await renderReport(incident);
  }
  if (alertFor !== null) renderAlert(await app.db.get("incidents", alertFor));
  await renderOutbox(actions);
}

function renderCall(incident, actions) {
  const status = effectiveStatus(incident, actions);
  const waiting = status !== incident.status;
  $("call-what").textContent = describe(incident);
  $("call-site").textContent = incident.site?.name ?? "";
  $("call-address").textContent = incident.destination?.address || incident.site?.address || "";
  $("call-distance").textContent = distanceText(incident);
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
  const to = incident.destination ?? incident.site;
  app.map.setDestination(to?.lat, to?.lon, incident.site?.name ?? "");
}

function renderAlert(incident) {
  if (incident == null) return;
  $("alert-what").textContent = describe(incident);
  $("alert-site").textContent = incident.site?.name ?? "";
  $("alert-address").textContent = incident.destination?.address || incident.site?.address || "";
  $("alert-distance").textContent = distanceText(incident);
}

async function renderReport(incident) {
  const report = await app.reports.load(incident.id);
  const form = $("report-form");
  if (form.dataset.incident !== String(incident.id)) {
    form.dataset.incident = String(incident.id);
    $("narrative").value = report.narrative;
    $("report-outcome").value = report.outcome;
  }
  $("persons").replaceChildren(...report.persons.map((person) => item(`${t(`role_${person.role}`)}: ${person.full_name}`)));
  $("detentions").replaceChildren(
    ...report.detentions.map((detention) => {
      const person = report.persons.find((candidate) => candidate.id === detention.person_id);
      return item(`${person?.full_name ?? "?"}: ${detention.grounds}`);
    }),
  );
  const options = report.persons.map((person) => option(person.id, person.full_name || t(`role_${person.role}`)));
  $("detention-person").replaceChildren(...options);
  const overruled = await app.reports.overruled(report, await app.sync.deviceId());
  $("report-saved").textContent = overruled === null ? $("report-saved").textContent : `${t("conflict_note")} «${overruled}»`;
}

function item(text, state = null, detail = "") {
  const li = document.createElement("li");
  li.textContent = text;
  if (state !== null) {
    li.dataset.state = state;
    const badge = document.createElement("span");
    badge.className = `badge ${state}`;
    badge.textContent = t(`state_${state === PENDING ? WAITING : state === REJECTED ? REFUSED : state}`);
    li.append(" ", badge);
    if (detail) {
      const why = document.createElement("span");
      why.className = "detail";
      why.textContent = detail;
      li.append(" ", why);
    }
  }
  return li;
}

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

async function renderOutbox(actions) {
  const mutations = await app.sync.mutations();
  const rows = [
    ...actions.map((action) => {
      const label = action.status === "resolved" ? "act_resolve" : `act_${action.status}`;
      const li = item(`${t(label)} · #${action.incident_id}`, action.state, action.detail);
      li.dataset.opId = action.op_id;
      return li;
    }),
    ...mutations.map((row) => {
      const detail = row.state === CONFLICT ? t("conflict_note") : row.detail;
      const li = item(row.label, row.state, detail);
      li.dataset.clientSeq = String(row.client_seq);
      return li;
    }),
  ].reverse();
  $("outbox").replaceChildren(...(rows.length ? rows : [item(t("queue_empty"))]));
  const waiting = actions.filter((action) => action.state === WAITING).length + mutations.filter((row) => row.state === PENDING).length;
  html.dataset.pending = String(waiting);
  $("pending-count").textContent = waiting ? t("waiting_n", { n: waiting }) : "";
  $("sign-out").disabled = waiting > 0;
}

function showLink(state) {
  html.dataset.link = state;
  $("link").textContent = t(`link_${state === "signed-out" ? "signed_out" : state}`);
  if (state === "live") flushAll();
}

// Dispatches and events.

async function onEvent(message) {
  if (message.type === "dispatch") await onDispatch(message.data);
  else if (message.type === "incident") await onIncident(message.data);
  await render();
}

async function onDispatch(data) {
  const incident = { ...data.incident, destination: data.destination, note: data.note, dispatch_id: data.dispatch_id };
  await app.db.put("incidents", incident);
  const seen = await app.db.get("dispatches", data.dispatch_id);
  if (seen !== undefined) {
    if (alertFor === incident.id) app.alarm.ring(); // a re-send of the alert still on screen
    return;
  }
  await app.db.put("dispatches", { dispatch_id: data.dispatch_id, incident_id: incident.id, received_at: new Date().toISOString() });
  await app.db.setMeta("current", incident.id);
  showAlert(incident);
}

async function onIncident(data) {
  const known = await app.db.get("incidents", data.id);
  if (known === undefined) return;
  await app.db.put("incidents", { ...known, ...data });
  if (CLOSED.has(data.status) && alertFor === data.id) hideAlert();
}

function showAlert(incident) {
  alertFor = incident.id;
  html.dataset.alertsShown = String(Number(html.dataset.alertsShown) + 1);
  renderAlert(incident);
  $("alert").hidden = false;
  $("alert-ack").focus();
  app.alarm.ring();
}

function hideAlert() {
  alertFor = null;
  $("alert").hidden = true;
}

async function onResync() {
  for (const incident of await app.db.all("incidents")) {
    if (CLOSED.has(incident.status)) continue;
    try {
      await app.db.put("incidents", { ...incident, ...(await app.api.get(`/api/v1/incidents/${incident.id}`)) });
    } catch (error) {
      if (!error.transient) console.warn("incident refresh refused", error.message);
    }
  }
  await render();
}

// The crew's taps.

async function act(status, resolve = null) {
  const incident = await currentIncident();
  if (incident === null) return;
  await app.actions.add(incident.id, status, resolve);
}

async function onActionDone(action, incident) {
  if (incident !== null && incident !== undefined) {
    const known = await app.db.get("incidents", incident.id);
    if (known !== undefined) await app.db.put("incidents", { ...known, ...incident });
  }
  await render();
}

function flushAll() {
  if (!navigator.onLine) return; // the "online" event brings us back
  app.actions.flush().then(render, () => {});
  app.sync.sync().catch((error) => {
    if (!error.transient) console.warn("sync refused", error.message);
  });
}

// Position.

function onPosition(position) {
  here = { lat: position.coords.latitude, lon: position.coords.longitude };
  app.map.setSelf(here.lat, here.lon);
  const now = Date.now();
  const moved = lastReported === null || distanceM(lastReported, here) >= POSITION_MOVED_M;
  if (now - lastPositionMs >= POSITION_EVERY_MS || moved) {
    lastPositionMs = now;
    lastReported = here;
    app.link.reportPosition(here.lat, here.lon, position.coords.accuracy);
  }
  render();
}

function watchPosition() {
  navigator.geolocation?.watchPosition(onPosition, () => {}, { enableHighAccuracy: true, maximumAge: 10_000 });
}

// Start.

async function loadBasemap() {
  let geojson = null;
  try {
    if (navigator.onLine) {
      geojson = await app.api.get(BASEMAP_URL);
      await app.db.setMeta("basemap", geojson);
    }
  } catch (error) {
    console.info("outline map from the tablet's copy:", error.message);
  }
  geojson ??= await app.db.meta("basemap");
  if (geojson !== null) app.map.showOutline(geojson);
}

async function start(token) {
  app.api = new Api(token, (error) => tokenRefused(error.message));
  app.sync = new SyncClient(app.db, app.api, render);
  app.actions = new ActionQueue(app.db, app.api, onActionDone);
  app.reports = new Reports(app.db, app.sync);
  app.link = new Link(app.db, token, {
    onState: showLink,
    onEvent,
    onResync,
    onRefused: tokenRefused,
  });
  $("signin").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  app.map.resize();
  await loadBasemap();
  await render();
  app.link.start();
  watchPosition();
  window.addEventListener("online", flushAll);
  setInterval(() => navigator.onLine && flushAll(), RETRY_EVERY_MS);
}

/** The crew's own sign-out (only offered when nothing waits): forget everything. */
async function signOut() {
  app.link?.stop();
  await app.db.clear();
  location.reload();
}

/** The server refused the token: ask for a new one, but keep what waits to be sent. */
async function tokenRefused(reason) {
  app.link?.stop();
  await app.db.delete("meta", "token");
  sessionStorage.setItem("posbon.crew.signout", reason);
  location.reload();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  app.alarm.unlock();
  const probe = new Api(token, null);
  try {
    await probe.get(BASEMAP_URL);
  } catch (error) {
    $("signin-error").textContent = error.message;
    return;
  }
  await app.db.setMeta("token", token);
  await start(token);
}

function bind() {
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());
  $("language").addEventListener("change", (event) => {
    setLanguage(event.target.value);
    fillOutcomes();
    if (app.sync !== null) render();
  });
  $("alert-ack").addEventListener("click", async () => {
    app.alarm.unlock();
    hideAlert();
    await act("acknowledged");
  });
  for (const button of document.querySelectorAll("button.action")) {
    button.addEventListener("click", () => {
      if (button.dataset.status === "resolved") {
        $("resolve-form").hidden = false;
        $("resolve-outcome").focus();
      } else {
        act(button.dataset.status);
      }
    });
  }
  $("resolve-cancel").addEventListener("click", () => {
    $("resolve-form").hidden = true;
  });
  $("resolve-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("resolve-form").hidden = true;
    await act("resolved", {
      outcome: $("resolve-outcome").value,
      notes: $("resolve-notes").value,
      persons_detained: Number($("resolve-detained").value || 0),
    });
  });
  bindReport();
}

function bindReport() {
  const crew = async () => crewId(await app.db.meta("stream"));
  $("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const incident = await currentIncident();
    const status = event.submitter?.dataset.status ?? "draft";
    await app.reports.save(incident.id, await crew(), $("narrative").value, $("report-outcome").value, status);
    $("report-saved").textContent = t("report_saved");
    flushAll();
  });
  $("person-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const incident = await currentIncident();
    const year = Number($("person-year").value);
    await app.reports.addPerson(incident.id, await crew(), {
      role: $("person-role").value,
      full_name: $("person-name").value.trim(),
      birth_year: year >= 1900 ? year : null,
      document_ref: $("person-document").value.trim(),
    });
    event.target.reset();
    await render();
    flushAll();
  });
  $("detention-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const incident = await currentIncident();
    await app.reports.addDetention(incident.id, await crew(), {
      person_id: $("detention-person").value,
      grounds: $("detention-grounds").value.trim(),
      handed_to: $("detention-handed").value.trim(),
    });
    event.target.reset();
    await render();
    flushAll();
  });
}

function fillOutcomes() {
  const outcomes = VOCABULARY.outcomes.map((value) => option(value, t(`outcome_${value}`)));
  $("resolve-outcome").replaceChildren(...outcomes);
  const reportValue = $("report-outcome").value;
  $("report-outcome").replaceChildren(option("", t("outcome_none")), ...outcomes.map((node) => node.cloneNode(true)));
  $("report-outcome").value = reportValue;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/crew/sw.js", { scope: "/crew/" });
    await navigator.serviceWorker.ready;
    html.dataset.sw = "ready";
  } catch (error) {
    console.warn("no offline copy of the app", error.message);
  }
}

async function main() {
  initLanguage();
  $("language").value = language();
  fillOutcomes();
  app.db = await openDb();
  app.alarm = new Alarm($("sound"));
  app.map = new CrewMap($("map"));
  bind();
  registerWorker();
  const reason = sessionStorage.getItem("posbon.crew.signout");
  if (reason) {
    $("signin-error").textContent = reason;
    sessionStorage.removeItem("posbon.crew.signout");
  }
  const token = await app.db.meta("token");
  if (token === null) {
    showLink("signed-out");
    $("token").focus();
    return;
  }
  app.alarm.show();
  await start(token);
}

main();
