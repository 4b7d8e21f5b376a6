// The one client of /ws/dispatch and /ws/crew (DESIGN §5), shared by the dispatcher page
// (js/relay.js) and the crew tablet app (crew_app/static/js/link.js), which wrap it.
//
// Theory of operation. The client remembers the stream's `epoch` and the `seq` of the last event
// it applied. After any drop (network loss, sleep, a server restart, a socket closed as too slow)
// it reconnects and says hello with both, and the server replays every event after `last_seq`.
// Messages are handled one at a time, in order (a handler may be async: the tablet stores each
// event before it reads the next), and an event is applied only when its seq is exactly the next
// one: nothing is applied twice and a hole is never skipped. A hole (a seq that jumps) drops the
// socket; the reconnect's hello makes the server replay it. When the server cannot replay
// (database changed, too much missed) it says `resync` and the app reloads its state.
//
// A socket can die silently (Wi-Fi gone, laptop asleep, a server that stopped answering), so the
// client sends a heartbeat every `heartbeatEveryMs` and drops a socket from which nothing was
// heard within `heartbeatAnswerMs` after it; a handshake that gets no welcome is dropped the same
// way. Reconnects back off from `backoffFirstMs` to at most `backoffMaxMs`, with jitter so that a
// restarted server is not hit by every client at once.
//
// States, on <html data-relay> and through onState(state, detail): "connecting" (the first
// socket), "live" (welcomed), "reconnecting" (after a drop, waiting or trying), "offline" (the
// browser says there is no network: retried when it is back) and "signed-out" (the token was
// refused: the client stops). `data-socket-attempts` counts sockets opened and
// `data-socket-longest-wait-ms` is the longest backoff waited, for whoever diagnoses a screen.

export const TIMING = Object.freeze({
  heartbeatEveryMs: 5_000,
  heartbeatAnswerMs: 4_000,
  welcomeWithinMs: 10_000,
  backoffFirstMs: 500,
  backoffMaxMs: 5_000,
  offlineRetryMs: 30_000,
});
const CLOSE_BAD_TOKEN = 4401;
const CLOSE_WRONG_ROLE = 4403;
const CLOSE_BY_CLIENT = 4000;
const REFUSED = new Set([CLOSE_BAD_TOKEN, CLOSE_WRONG_ROLE]);

export class SocketClient {
  /**
   * url: the socket's URL. position(): { lastSeq, epoch } to say hello with (may be async; the
   * client keeps both in memory once read, `null` for a first start). handlers (each optional,
   * each may be async, awaited in order):
   *   onWelcome(message, fresh): fresh is true when there was no position (load everything);
   *   onEvent(message): the next event in order; onResync(message): the server cannot replay;
   *   onMessage(message): anything else the server says (pong aside);
   *   onState(state, detail, params): detail is English for the console; params.s is the wait
   *   in seconds while reconnecting (for the app's own words); onRefused(code, reason).
   * linkWatch: { down(asOfMs), clear() } told when a live link goes down (with the time the
   * server was last heard) and when it is live again or signed out (the disconnected overlay).
   */
  constructor({ url, token, position, handlers, linkWatch = null, timing = {} }) {
    this.url = url;
    this.token = token;
    this.position = position;
    this.handlers = handlers;
    this.linkWatch = linkWatch;
    this.timing = { ...TIMING, ...timing };
    this.lastSeq = null;
    this.epoch = null;
    this.positionRead = false;
    this.socket = null;
    this.welcomed = false;
    this.chain = Promise.resolve();
    this.attempts = 0;
    this.opened = 0;
    this.longestWaitMs = 0;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.lastHeardMs = Date.now();
    this.state = null;
    this.stopped = false;
    this.onOnline = () => this.reconnectNow("network back");
    this.onOffline = () => this.drop("the browser is offline");
    this.onVisibility = () => {
      if (document.visibilityState === "visible") this.checkAlive();
    };
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.timing.heartbeatEveryMs);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.onVisibility);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    this.closeSocket();
  }

  /** Send a message now; false when there is no open socket (the caller keeps it). */
  send(message) {
    if (this.socket === null || !this.welcomed || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  get live() {
    return this.state === "live";
  }

  connect() {
    if (this.stopped || this.socket !== null) return;
    clearTimeout(this.retryTimer);
    this.setState(this.lastSeq === null && this.opened === 0 ? "connecting" : "reconnecting", "connecting…");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      console.warn("socket: cannot open:", error);
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    this.opened += 1;
    document.documentElement.dataset.socketAttempts = String(this.opened);
    // A handshake into a black hole (a stopped server) never fails by itself: give it a deadline.
    setTimeout(() => {
      if (socket === this.socket && !this.welcomed) this.drop("no welcome from the server");
    }, this.timing.welcomeWithinMs);
    socket.onopen = () => this.hello(socket);
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.lastHeardMs = Date.now();
      this.chain = this.chain
        .then(() => (socket === this.socket ? this.receive(JSON.parse(message.data)) : undefined))
        .catch((error) => console.warn("socket: a message was not handled:", error));
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.closed(event.code, event.reason);
    };
  }

  async hello(socket) {
    if (!this.positionRead) {
      const { lastSeq, epoch } = await this.position();
      this.lastSeq = lastSeq ?? null;
      this.epoch = epoch ?? null;
      this.positionRead = true;
    }
    // The socket may have gone while the position was read: the next connect says hello.
    if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "hello", token: this.token, last_seq: this.lastSeq, epoch: this.epoch }));
  }

  async receive(message) {
    switch (message.type) {
      case "welcome":
        await this.welcome(message);
        return;
      case "resync":
        this.setSeq(message.seq);
        await this.handlers.onResync?.(message);
        return;
      case "pong":
        return;
      default:
        if (typeof message.seq === "number") await this.event(message);
        else await this.handlers.onMessage?.(message);
    }
  }

  async welcome(message) {
    this.welcomed = true;
    this.attempts = 0;
    this.epoch = message.epoch;
    const fresh = this.lastSeq === null;
    if (fresh) this.setSeq(message.seq);
    this.setState("live", "live");
    await this.handlers.onWelcome?.(message, fresh);
  }

  async event(message) {
    if (message.seq <= this.lastSeq) return; // already applied: a replay overlapping live events
    if (message.seq !== this.lastSeq + 1) {
      this.drop(`missed events after ${this.lastSeq} (got ${message.seq})`); // the hello replays the hole
      return;
    }
    await this.handlers.onEvent?.(message);
    this.setSeq(message.seq);
  }

  closed(code, reason) {
    if (REFUSED.has(code)) {
      this.stopped = true;
      clearInterval(this.heartbeatTimer);
      this.setState("signed-out", "refused");
      this.handlers.onRefused?.(code, reason);
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (!navigator.onLine) {
      this.setState("offline", "offline: will resume when the network is back");
      this.retryTimer = setTimeout(() => this.connect(), this.timing.offlineRetryMs);
      return;
    }
    const { backoffFirstMs, backoffMaxMs } = this.timing;
    const ceilingMs = Math.min(backoffMaxMs, backoffFirstMs * 2 ** this.attempts);
    const delayMs = ceilingMs / 2 + (Math.random() * ceilingMs) / 2; // jitter: no thundering herd
    this.attempts += 1;
    this.longestWaitMs = Math.max(this.longestWaitMs, Math.round(delayMs));
    document.documentElement.dataset.socketLongestWaitMs = String(this.longestWaitMs);
    const s = Math.ceil(delayMs / 1000);
    this.setState("reconnecting", `reconnecting in ${s} s`, { s });
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  /** Give up on the current socket (dead or unusable) and reconnect with backoff. */
  drop(reason) {
    console.info("socket: dropping it:", reason);
    this.closeSocket();
    this.scheduleRetry();
  }

  /** Forget the position in the stream: the next welcome is a fresh start. */
  startOver(reason) {
    this.lastSeq = null;
    this.epoch = null;
    this.positionRead = true;
    this.drop(reason);
  }

  reconnectNow(reason) {
    console.info("socket: reconnecting now:", reason);
    this.attempts = 0;
    if (this.socket === null) this.connect();
    else this.heartbeat();
  }

  checkAlive() {
    if (this.socket === null) this.reconnectNow("page visible again");
    else this.heartbeat();
  }

  heartbeat() {
    const socket = this.socket;
    if (socket === null || !this.welcomed || socket.readyState !== WebSocket.OPEN) return;
    const sentMs = Date.now();
    socket.send(JSON.stringify({ type: "heartbeat" }));
    setTimeout(() => {
      if (socket === this.socket && this.lastHeardMs < sentMs) this.drop("no answer to a heartbeat");
    }, this.timing.heartbeatAnswerMs);
  }

  closeSocket() {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (socket === null) return;
    socket.onmessage = socket.onclose = socket.onopen = null;
    try {
      socket.close(CLOSE_BY_CLIENT, "client reconnects");
    } catch {
      // closing a socket that never opened may throw; it is gone either way
    }
  }

  // Shown on <html> (data-last-seq) for whoever diagnoses a stuck screen.
  setSeq(seq) {
    this.lastSeq = seq;
    document.documentElement.dataset.lastSeq = String(seq);
  }

  setState(state, detail, params = {}) {
    const wasLive = this.state === "live";
    this.state = state;
    document.documentElement.dataset.relay = state;
    if (state === "live" || state === "signed-out") this.linkWatch?.clear();
    else if (wasLive) this.linkWatch?.down(this.lastHeardMs);
    this.handlers.onState?.(state, detail, params);
  }
}
