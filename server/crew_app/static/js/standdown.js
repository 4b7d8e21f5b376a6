// How the held call ends. When the server says it is resolved: back to standby. When it is
// taken away (cancelled, a false alarm, or given to another crew): a full-screen stand-down with
// a repeating tone until the crew taps it. The stand-down is kept in IndexedDB (meta
// "stand_down"), so a reload still shows it; the call stays under it, its status readable.

import { myCrewId } from "./held.js";
import { t } from "./i18n.js";
import { CLOSED, RESOLVED, TAKEN_AWAY } from "./vocabulary.js";

const $ = (id) => document.getElementById(id);
const html = document.documentElement;

export class StandDown {
  /** `app` holds the services main.js starts at sign-in (db, alarm, crew); `call` is the
   * CallScreen; `render()` draws the whole app again. */
  constructor(app, call, render) {
    this.app = app;
    this.call = call;
    this.render = render;
    $("stand-down-ok").addEventListener("click", () => this.seen());
  }

  /** What a change of a call means for the crew: resolved → standby; cancelled, a false alarm
   * or another crew's now → stand down. Only the held call's changes count. */
  async follow(incident) {
    const { db, crew } = this.app;
    if ((await db.meta("current")) !== incident.id) return;
    const mine = await myCrewId(crew, db);
    let reason = null;
    if (TAKEN_AWAY.has(incident.status)) reason = incident.status;
    else if (mine !== null && incident.crew_id !== mine && !CLOSED.has(incident.status)) reason = "reassigned";
    if (reason !== null) {
      if (this.call.alertFor === incident.id) this.call.hideAlert();
      // The call stays under the stand-down screen (its status readable) until the crew taps.
      await db.setMeta("stand_down", { incident_id: incident.id, reason });
    } else if (incident.status === RESOLVED) {
      await this.standby();
    }
  }

  async standby() {
    await this.app.db.setMeta("current", null);
    $("resolve-form").hidden = true;
    this.app.crew.refresh();
  }

  async show() {
    const { db, alarm } = this.app;
    const standDown = await db.meta("stand_down");
    $("stand-down").hidden = standDown === null;
    if (standDown === null) {
      alarm.stop();
      return;
    }
    $("stand-down-why").textContent = t(`stand_down_${standDown.reason}`, { id: standDown.incident_id });
    if ($("stand-down").dataset.shown !== String(standDown.incident_id)) {
      $("stand-down").dataset.shown = String(standDown.incident_id);
      html.dataset.standDowns = String(Number(html.dataset.standDowns ?? 0) + 1);
      $("stand-down-ok").focus();
    }
    alarm.repeat();
  }

  /** The crew tapped: the call they were taken off is no longer held. */
  async seen() {
    const { db, alarm } = this.app;
    alarm.unlock();
    const standDown = await db.meta("stand_down");
    await db.setMeta("stand_down", null);
    if (standDown !== null && (await db.meta("current")) === standDown.incident_id) {
      await this.standby();
    }
    $("stand-down").dataset.shown = "";
    await this.render();
  }
}
