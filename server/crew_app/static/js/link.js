// The tablet's /ws/crew link: the shared socket client (/static/shared/socket.js: hello with the
// last seq this tablet handled, replay, heartbeats with an answer deadline, gaps, backoff) with
// what the tablet adds. Each event is handled and its seq stored in IndexedDB before the next is
// read, so a reload or a lost link never skips nor repeats one; the tablet acks it after that.
// Positions wait in IndexedDB while offline and go out in order once the socket is back. A link
// down for more than a few seconds shows the full-width disconnected bar.

import { DisconnectedOverlay } from "/static/shared/disconnected.js";
import { SocketClient } from "/static/shared/socket.js";
import { formatTime, t } from "./i18n.js";

const MAX_QUEUED_POSITIONS = 500;
// The app's link states (html[data-link], the header's words); the client's "reconnecting" is
// the tablet's "connecting".
const APP_STATE = { connecting: "connecting", reconnecting: "connecting", live: "live", offline: "offline" };

export class Link {
  constructor(db, token, handlers) {
    this.db = db;
    this.handlers = handlers; // onState(state), onEvent(message), onResync(), onRefused(reason)
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.client = new SocketClient({
      url: `${scheme}//${location.host}/ws/crew`,
      token,
      position: async () => ({ lastSeq: await db.meta("last_seq"), epoch: await db.meta("epoch") }),
      linkWatch: new DisconnectedOverlay({ t, formatTime }),
      handlers: {
        onWelcome: (message) => this.welcome(message),
        onEvent: (message) => this.event(message),
        onResync: (message) => this.resync(message),
        onState: (state) => {
          if (state in APP_STATE) handlers.onState(APP_STATE[state]);
        },
        onRefused: (code, reason) => handlers.onRefused(reason || "token refused"),
      },
    });
  }

  get live() {
    return this.client.live;
  }

  start() {
    this.client.start();
  }

  stop() {
    this.client.stop();
  }

  send(message) {
    return this.client.send(message);
  }

  async welcome(message) {
    // The client took the welcome's seq as its place when the tablet had none: store it too.
    await this.db.setMeta("last_seq", this.client.lastSeq);
    await this.db.setMeta("epoch", message.epoch);
    await this.db.setMeta("stream", message.stream);
    await this.flushPositions();
  }

  async event(message) {
    await this.handlers.onEvent(message);
    await this.db.setMeta("last_seq", message.seq);
    this.send({ type: "ack", seq: message.seq });
  }

  async resync(message) {
    await this.db.setMeta("last_seq", message.seq);
    await this.handlers.onResync();
  }

  async reportPosition(lat, lon, accuracyM) {
    const at = new Date().toISOString();
    await this.db.put("positions", { lat, lon, accuracy_m: accuracyM, at });
    if (this.live) await this.flushPositions();
    else await this.trimPositions();
  }

  async flushPositions() {
    const queued = await this.db.all("positions");
    for (const position of queued) {
      const { id, ...body } = position;
      if (!this.send({ type: "position", ...body })) return;
      await this.db.delete("positions", id);
    }
  }

  /** Keep the newest positions only: a day offline must not fill the tablet. */
  async trimPositions() {
    const queued = await this.db.all("positions");
    for (const old of queued.slice(0, Math.max(0, queued.length - MAX_QUEUED_POSITIONS))) {
      await this.db.delete("positions", old.id);
    }
  }
}
