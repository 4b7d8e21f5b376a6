// Who is signed in, and the crew's own status (available, out of service, returning) set from
// the standby screen. The crew as the server last described it is kept on the tablet, so the
// header names the crew offline too. A status change needs the link: it is the dispatcher's
// picture of who can be sent right now, so one queued offline and delivered late could send a
// crew that has gone off, or keep a free one idle; without a link the buttons are disabled and
// say to use the radio.

import { t } from "./i18n.js";

const ME_PATH = "/api/v1/crew-app/me";
const STATUS_PATH = "/api/v1/crew-app/status";
const ON_INCIDENT = "crew_on_incident";

export class Crew {
  constructor(db, api, elements) {
    this.db = db;
    this.api = api;
    this.elements = elements; // name, status, note, buttons
    this.me = null;
    this.live = false;
    this.note = "";
    for (const button of elements.buttons) {
      button.addEventListener("click", () => this.set(button.dataset.crewStatus));
    }
  }

  /** The crew's id: from the server's description, else null (not yet known). */
  id() {
    return this.me?.crew_id ?? null;
  }

  async load() {
    this.me ??= await this.db.meta("me");
    this.render();
  }

  /** Ask the server again (sign-in, link back, a call ended). */
  async refresh() {
    try {
      this.me = await this.api.get(ME_PATH);
      await this.db.setMeta("me", this.me);
    } catch (error) {
      if (!error.transient) console.warn("crew not described", error.message);
    }
    this.render();
  }

  setLive(live) {
    this.live = live;
    if (live) this.note = "";
    this.render();
  }

  async set(status) {
    if (!this.live) {
      this.note = t("crew_status_needs_link");
      this.render();
      return;
    }
    try {
      const crew = await this.api.post(STATUS_PATH, { status });
      this.me = { ...(this.me ?? {}), status: crew.status };
      await this.db.setMeta("me", this.me);
      this.note = "";
    } catch (error) {
      if (error.code === ON_INCIDENT) this.note = t("crew_status_on_call");
      else if (error.transient) this.note = t("crew_status_needs_link");
      else this.note = error.message;
    }
    this.render();
  }

  render() {
    const { name, status, note, buttons } = this.elements;
    name.hidden = !this.me?.name;
    if (!name.hidden) {
      const members = (this.me.members ?? []).join(", ");
      name.textContent = t("crew_label", { name: this.me.name }) + (members ? ` · ${members}` : "");
    }
    status.textContent = this.me?.status ? t("crew_status_now", { status: t(`crew_status_${this.me.status}`) }) : t("crew_status_unknown");
    status.dataset.status = this.me?.status ?? "";
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(this.me?.status === button.dataset.crewStatus));
      button.disabled = !this.live;
    }
    note.textContent = this.live ? this.note : t("crew_status_needs_link");
  }
}
