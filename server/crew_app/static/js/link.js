// /ws/crew: hello with the last seq this tablet handled, so everything missed while offline is
// replayed in order; each event is handled and its seq stored before the next is read, so a
// reload or a lost link never skips nor repeats one. Positions wait in IndexedDB while offline
// and go out in order once the socket is back.

const HEARTBEAT_MS = 20_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;
const CLOSE_BAD_TOKEN = 4401;
const CLOSE_WRONG_ROLE = 4403;
const MAX_QUEUED_POSITIONS = 500;

export class Link {
  constructor(db, token, handlers) {
    this.db = db;
    this.token = token;
    this.handlers = handlers; // onState(state), onEvent(message), onResync(), onRefused(reason)
    this.socket = null;
    this.retryMs = RETRY_MIN_MS;
    this.retryTimer = null;
    this.heartbeat = null;
    this.chain = Promise.resolve();
    this.stopped = false;
    this.live = false;
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    if (navigator.onLine) this.connect();
    else this.handlers.onState("offline");
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.drop();
  }

  onOnline = () => {
    this.retryMs = RETRY_MIN_MS;
    this.connect();
  };

  // The OS says the link is gone: close now rather than wait for a heartbeat to time out.
  onOffline = () => {
    this.drop();
    this.handlers.onState("offline");
  };

  drop() {
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    this.live = false;
    if (this.socket !== null) {
      const socket = this.socket;
      this.socket = null;
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
    }
  }

  connect() {
    if (this.stopped || this.socket !== null) return;
    clearTimeout(this.retryTimer);
    this.handlers.onState("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws/crew`);
    this.socket = socket;
    socket.onopen = async () => {
      const lastSeq = await this.db.meta("last_seq");
      const epoch = await this.db.meta("epoch");
      // The link may have dropped while IndexedDB answered: the next connect says hello.
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: "hello", token: this.token, last_seq: lastSeq, epoch }));
    };
    socket.onmessage = (message) => {
      this.chain = this.chain.then(() => this.receive(JSON.parse(message.data))).catch((error) => {
        console.warn("crew event not handled", error);
      });
    };
    socket.onclose = (event) => this.closed(event);
  }

  closed(event) {
    this.socket = null;
    this.live = false;
    clearInterval(this.heartbeat);
    if (event.code === CLOSE_BAD_TOKEN || event.code === CLOSE_WRONG_ROLE) {
      this.stopped = true;
      this.handlers.onRefused(event.reason || "token refused");
      return;
    }
    this.handlers.onState(navigator.onLine ? "connecting" : "offline");
    if (this.stopped || !navigator.onLine) return;
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  async receive(message) {
    switch (message.type) {
      case "welcome":
        await this.welcome(message);
        return;
      case "resync":
        await this.db.setMeta("last_seq", message.seq);
        await this.handlers.onResync();
        return;
      case "pong":
      case "status_result":
      case "error":
        return;
      default:
        if (typeof message.seq !== "number") return;
        if (message.seq <= ((await this.db.meta("last_seq")) ?? 0)) return; // seen already
        await this.handlers.onEvent(message);
        await this.db.setMeta("last_seq", message.seq);
        this.send({ type: "ack", seq: message.seq });
    }
  }

  async welcome(message) {
    if ((await this.db.meta("last_seq")) === null) await this.db.setMeta("last_seq", message.seq);
    await this.db.setMeta("epoch", message.epoch);
    await this.db.setMeta("stream", message.stream);
    this.live = true;
    this.retryMs = RETRY_MIN_MS;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.send({ type: "heartbeat" }), HEARTBEAT_MS);
    this.handlers.onState("live");
    await this.flushPositions();
  }

  send(message) {
    if (this.socket !== null && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
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
