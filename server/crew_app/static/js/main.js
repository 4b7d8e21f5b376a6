// The crew tablet app: wiring. State lives in IndexedDB (db.js); the socket (link.js) brings
// dispatches, changes of the held call and dispatcher notes, the action queue (actions.js) and
// the sync client (sync.js) take the crew's work back to the server whenever there is a link.
//
// The screens are modules of their own: the call and its alert (call.js), the dispatcher's notes
// (notes.js), how the held call ends, standby or a stand-down (standdown.js), the report and
// resolve forms (report-form.js), signing in and out (session.js), the position (position.js).

import { ActionQueue } from "./actions.js";
import { Alarm } from "./alarm.js";
import { Api } from "./api.js";
import { CallScreen } from "./call.js";
import { Crew } from "./crew.js";
import { openDb } from "./db.js";
import { currentIncident } from "./held.js";
import { initLanguage, language, setLanguage, t } from "./i18n.js";
import { Link } from "./link.js";
import { CrewMap } from "./map.js";
import { keepNote } from "./notes.js";
import { outboxRows } from "./outbox.js";
import { Position } from "./position.js";
import { ReportForm, fillOutcomes } from "./report-form.js";
import { Reports } from "./report.js";
import { initScheme } from "./scheme.js";
import { Session } from "./session.js";
import { StandDown } from "./standdown.js";
import { SyncClient } from "./sync.js";
import { CLOSED } from "./vocabulary.js";

const BASEMAP_URL = "/api/v1/crew-app/basemap";
const RETRY_EVERY_MS = 15_000;

const $ = (id) => document.getElementById(id);
const html = document.documentElement;
// The app's services and screens. The screens read the services when they run: sign-in starts
// most of them (start()), after the screens are made (main()).
const app = {
  db: null,
  api: null,
  link: null,
  actions: null,
  sync: null,
  reports: null,
  map: null,
  alarm: null,
  crew: null,
  position: null,
  call: null,
  standDown: null,
  reportForm: null,
  session: null,
};

// Rendering.

async function render() {
  const incident = await currentIncident(app.db);
  const actions = await app.actions.list();
  $("standby").hidden = incident !== null;
  $("call-body").hidden = incident === null;
  $("report").hidden = incident === null;
  if (incident !== null) {
    app.call.render(incident, actions);
    await app.reportForm.show(incident);
  }
  if (app.call.alertFor !== null) app.call.renderAlert(await app.db.get("incidents", app.call.alertFor));
  await app.standDown.show();
  app.crew.render();
  await renderOutbox(actions);
}

async function renderOutbox(actions) {
  const { rows, waiting } = outboxRows(actions, await app.sync.mutations());
  $("outbox").replaceChildren(...rows);
  html.dataset.pending = String(waiting);
  $("pending-count").textContent = waiting ? t("waiting_n", { n: waiting }) : "";
  $("sign-out").disabled = waiting > 0;
}

function showLink(state) {
  html.dataset.link = state;
  $("link").textContent = t(`link_${state === "signed-out" ? "signed_out" : state}`);
  app.crew?.setLive(state === "live");
  if (state === "live") {
    flushAll();
    app.crew?.refresh();
  }
}

// Dispatches and events.

async function onEvent(message) {
  if (message.type === "dispatch") await onDispatch(message.data);
  else if (message.type === "incident") await onIncident(message.data);
  else if (message.type === "note") await keepNote(app.db, app.alarm, message.data);
  await render();
}

async function onDispatch(data) {
  const known = await app.db.get("incidents", data.incident.id);
  const incident = { ...data.incident, notes: known?.notes ?? [], destination: data.destination, note: data.note, dispatch_id: data.dispatch_id };
  await app.db.put("incidents", incident);
  const seen = await app.db.get("dispatches", data.dispatch_id);
  if (seen !== undefined) {
    if (app.call.alertFor === incident.id) app.alarm.ring(); // a re-send of the alert still on screen
    return;
  }
  await app.db.put("dispatches", { dispatch_id: data.dispatch_id, incident_id: incident.id, received_at: new Date().toISOString() });
  await app.db.setMeta("current", incident.id);
  app.call.showAlert(incident);
}

async function onIncident(data) {
  const known = await app.db.get("incidents", data.id);
  if (known === undefined) return;
  const incident = { ...known, ...data };
  await app.db.put("incidents", incident);
  if (CLOSED.has(data.status) && app.call.alertFor === data.id) app.call.hideAlert();
  await app.standDown.follow(incident);
}

async function onResync() {
  for (const incident of await app.db.all("incidents")) {
    if (CLOSED.has(incident.status)) continue;
    try {
      const fresh = { ...incident, ...(await app.api.get(`/api/v1/incidents/${incident.id}`)) };
      await app.db.put("incidents", fresh);
      await app.standDown.follow(fresh);
    } catch (error) {
      if (!error.transient) console.warn("incident refresh refused", error.message);
    }
  }
  await render();
}

// The crew's taps.

async function act(status, resolve = null) {
  const incident = await currentIncident(app.db);
  if (incident === null) return;
  await app.actions.add(incident.id, status, resolve);
}

async function onActionDone(action, incident) {
  if (incident !== null && incident !== undefined) {
    const known = await app.db.get("incidents", incident.id);
    if (known !== undefined) {
      await app.db.put("incidents", { ...known, ...incident });
      await app.standDown.follow({ ...known, ...incident });
    }
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
  if (geojson !== null) app.map.showOutline(geojson, app.api.token); // the map draws as it loads
}

async function start(token) {
  app.api = new Api(token, (error) => app.session.tokenRefused(error.message));
  app.sync = new SyncClient(app.db, app.api, render);
  app.actions = new ActionQueue(app.db, app.api, onActionDone);
  app.reports = new Reports(app.db, app.sync);
  app.crew = new Crew(app.db, app.api, {
    name: $("crew-name"),
    status: $("crew-status"),
    note: $("crew-status-note"),
    buttons: [...document.querySelectorAll("button.crew-set")],
  });
  await app.crew.load();
  app.link = new Link(app.db, token, {
    onState: showLink,
    onEvent,
    onResync,
    onRefused: (reason) => app.session.tokenRefused(reason),
  });
  $("signin").hidden = true;
  $("workspace").hidden = false;
  $("sign-out").hidden = false;
  app.map.resize();
  await loadBasemap();
  await render();
  app.link.start();
  app.position.watch();
  window.addEventListener("online", flushAll);
  setInterval(() => navigator.onLine && flushAll(), RETRY_EVERY_MS);
}

/** The screens, each binding its own controls; the call's buttons are wired here. */
function bind() {
  app.session = new Session(app, { probeUrl: BASEMAP_URL, start });
  $("language").addEventListener("change", (event) => {
    setLanguage(event.target.value);
    fillOutcomes();
    if (app.sync !== null) render();
  });
  app.standDown = new StandDown(app, app.call, render);
  $("alert-ack").addEventListener("click", async () => {
    app.alarm.unlock();
    app.call.hideAlert();
    await act("acknowledged");
  });
  app.reportForm = new ReportForm(app, { act, flush: flushAll, render });
  for (const button of document.querySelectorAll("button.action")) {
    button.addEventListener("click", () => {
      if (button.dataset.status === "resolved") app.reportForm.openResolve();
      else {
        act(button.dataset.status);
      }
    });
  }
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
  initScheme($("scheme"));
  initLanguage();
  $("language").value = language();
  fillOutcomes();
  app.db = await openDb();
  app.alarm = new Alarm($("sound"));
  app.map = new CrewMap($("map"));
  app.position = new Position(app.map, (lat, lon, accuracy) => app.link.reportPosition(lat, lon, accuracy), render);
  app.call = new CallScreen(app.map, app.alarm, () => app.position.here);
  bind();
  registerWorker();
  app.session.showRefusal();
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
