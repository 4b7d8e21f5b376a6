// The /ws/dispatch client: hello → welcome → replayed events → live events.
//
// Theory of operation. The page remembers the stream's `epoch` and the `seq` of the last event it
// applied. After any drop (network loss, sleep, a server restart, a socket closed as too slow) it
// reconnects with both, and the server replays every event after `last_seq`; events are applied
// only when their seq is exactly the next one, so nothing is applied twice and a hole is never
// skipped (a hole makes the page reconnect and be replayed again). When the server cannot replay
// (database changed, too much missed) it says `resync` and the page reloads its state over REST.
// A socket can die silently (Wi-Fi gone, laptop asleep), so the page sends an application
// heartbeat every 15 s and drops a socket that has not answered within 10 s.

const HEARTBEAT_EVERY_MS = 15_000;
const HEARTBEAT_ANSWER_MS = 10_000;
const WELCOME_WITHIN_MS = 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const OFFLINE_RETRY_MS = 30_000;
const CLOSE_BAD_TOKEN = 4401;
const CLOSE_WRONG_ROLE = 4403;
const CLOSE_BY_PAGE = 4000;

export class RelayClient {
  /**
   * handlers: onEvent(message), onFreshState(reason) (load everything over REST; events that
   * arrive meanwhile still come to onEvent), onState(state, detail), onAuthFailed(code).
   */
  constructor(url, token, handlers) {
    this.url = url;
    this.token = token;
    this.handlers = handlers;
    this.lastSeq = null;
    this.epoch = null;
    this.socket = null;
    this.attempts = 0;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.lastHeardMs = 0;
    this.stopped = false;
    this.applied = 0;
    this.onOnline = () => this.reconnectNow("network back");
    this.onOffline = () => this.drop("offline");
    this.onVisibility = () => {
      if (document.visibilityState === "visible") this.checkAlive();
    };
  }

  start() {
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_EVERY_MS);
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

  connect() {
    if (this.stopped || this.socket !== null) return;
    clearTimeout(this.retryTimer);
    this.setState(this.lastSeq === null ? "connecting" : "reconnecting", "connecting…");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      console.warn("relay: cannot open a socket:", error);
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    // A handshake into a black hole never fails by itself: give it a deadline.
    setTimeout(() => {
      if (socket === this.socket && !this.welcomed) this.drop("no welcome from the server");
    }, WELCOME_WITHIN_MS);
    socket.onopen = () => {
      const hello = { type: "hello", token: this.token, last_seq: this.lastSeq, epoch: this.epoch };
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.lastHeardMs = Date.now();
      this.receive(JSON.parse(message.data));
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.closed(event.code);
    };
  }

  receive(message) {
    switch (message.type) {
      case "welcome":
        this.welcome(message);
        break;
      case "resync":
        this.setSeq(message.seq);
        this.handlers.onFreshState(message.reason);
        break;
      case "pong":
        break;
      case "error":
        console.warn("relay refused a message:", message.code, message.detail);
        break;
      default:
        if (typeof message.seq === "number") this.event(message);
    }
  }

  welcome(message) {
    this.attempts = 0;
    this.welcomed = true;
    const epochChanged = this.epoch !== null && message.epoch !== this.epoch;
    this.epoch = message.epoch;
    this.setState("live", "live");
    if (this.lastSeq === null || epochChanged) {
      this.setSeq(message.seq);
      this.handlers.onFreshState(epochChanged ? "the server's database changed" : "start");
    }
  }

  event(message) {
    if (message.seq <= this.lastSeq) return; // already applied: a replay overlapping live events
    if (message.seq !== this.lastSeq + 1) {
      this.drop("missed events"); // reconnecting makes the server replay the hole
      return;
    }
    this.setSeq(message.seq);
    this.applied += 1;
    document.documentElement.dataset.eventsApplied = String(this.applied);
    this.handlers.onEvent(message);
  }

  closed(code) {
    if (code === CLOSE_BAD_TOKEN || code === CLOSE_WRONG_ROLE) {
      this.stopped = true;
      this.setState("signed-out", "refused");
      this.handlers.onAuthFailed(code);
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    if (!navigator.onLine) {
      this.setState("offline", "offline: will resume when the network is back");
      this.retryTimer = setTimeout(() => this.connect(), OFFLINE_RETRY_MS);
      return;
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts);
    const delayMs = ceiling / 2 + (Math.random() * ceiling) / 2; // jitter: no thundering herd
    this.attempts += 1;
    this.setState("reconnecting", `reconnecting in ${Math.ceil(delayMs / 1000)} s`);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  /** Give up on the current socket (dead or unusable) and reconnect with backoff. */
  drop(reason) {
    console.info("relay: dropping the socket:", reason);
    this.closeSocket();
    this.scheduleRetry();
  }

  /** Forget the position in the stream: the next welcome starts from a fresh REST snapshot. */
  startOver(reason) {
    this.lastSeq = null;
    this.epoch = null;
    this.drop(reason);
  }

  reconnectNow(reason) {
    console.info("relay: reconnecting now:", reason);
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
    if (socket === null || socket.readyState !== WebSocket.OPEN) return;
    const sentMs = Date.now();
    socket.send(JSON.stringify({ type: "heartbeat" }));
    setTimeout(() => {
      if (socket === this.socket && this.lastHeardMs < sentMs) this.drop("no answer to heartbeat");
    }, HEARTBEAT_ANSWER_MS);
  }

  closeSocket() {
    const socket = this.socket;
    this.socket = null;
    if (socket === null) return;
    socket.onmessage = socket.onclose = socket.onopen = null;
    try {
      socket.close(CLOSE_BY_PAGE, "page reconnects");
    } catch {
      // closing a socket that never opened may throw; it is gone either way
    }
  }

  // Shown on <html> (data-last-seq, data-events-applied) for whoever diagnoses a stuck screen.
  setSeq(seq) {
    this.lastSeq = seq;
    document.documentElement.dataset.lastSeq = String(seq);
  }

  setState(state, detail) {
    document.documentElement.dataset.relay = state;
    this.handlers.onState(state, detail);
  }
}
