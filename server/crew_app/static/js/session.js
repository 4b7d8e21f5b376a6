// Signing in and out. The token the crew types is tried once against the server and kept in
// IndexedDB, so the tablet starts signed in after a reload, offline too. The crew's own sign-out
// (only offered when nothing waits) forgets everything; a token the server refuses is forgotten
// but what waits to be sent is kept, and the sign-in screen says why after the reload.

import { Api } from "./api.js";

const $ = (id) => document.getElementById(id);
const REFUSED_KEY = "posbon.crew.signout"; // sessionStorage: why the server refused the token

export class Session {
  /** `app` holds the services (db, alarm, link once started); `probeUrl` is a GET any valid
   * crew token may make; `start(token)` starts the app once signed in. */
  constructor(app, { probeUrl, start }) {
    this.app = app;
    this.probeUrl = probeUrl;
    this.start = start;
    $("signin-form").addEventListener("submit", (event) => this.signIn(event));
    $("sign-out").addEventListener("click", () => this.signOut());
  }

  /** Say why the last token was refused, once. */
  showRefusal() {
    const reason = sessionStorage.getItem(REFUSED_KEY);
    if (reason) {
      $("signin-error").textContent = reason;
      sessionStorage.removeItem(REFUSED_KEY);
    }
  }

  async signIn(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    this.app.alarm.unlock();
    const probe = new Api(token, null);
    try {
      await probe.get(this.probeUrl);
    } catch (error) {
      $("signin-error").textContent = error.message;
      return;
    }
    await this.app.db.setMeta("token", token);
    await this.start(token);
  }

  /** The crew's own sign-out (only offered when nothing waits): forget everything. */
  async signOut() {
    this.app.link?.stop();
    await this.app.db.clear();
    location.reload();
  }

  /** The server refused the token: ask for a new one, but keep what waits to be sent. */
  async tokenRefused(reason) {
    this.app.link?.stop();
    await this.app.db.delete("meta", "token");
    sessionStorage.setItem(REFUSED_KEY, reason);
    location.reload();
  }
}
