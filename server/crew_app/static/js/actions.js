// One-tap incident actions (acknowledge, en route, on scene, resolve), queued in IndexedDB
// with an op_id and the tablet's time, and sent in order when the link allows. The server
// applies an op_id once and answers a repeat with the first result, so a send whose answer was
// lost is simply sent again. A refusal (the call was cancelled meanwhile …) is kept and shown.

export const WAITING = "waiting";
export const SENT = "sent";
export const REFUSED = "refused";

export class ActionQueue {
  constructor(db, api, onChange) {
    this.db = db;
    this.api = api;
    this.onChange = onChange;
    this.flushing = null;
  }

  async add(incidentId, status, resolve = null) {
    const action = {
      op_id: crypto.randomUUID(),
      incident_id: incidentId,
      status,
      resolve,
      device_at: new Date().toISOString(),
      created_ms: Date.now() + Math.random() / 10, // a stable order for taps in one ms
      state: WAITING,
      detail: "",
    };
    await this.db.put("actions", action);
    await this.onChange(action, null);
    if (navigator.onLine) this.flush();
    return action;
  }

  async list() {
    return (await this.db.all("actions")).sort((a, b) => a.created_ms - b.created_ms);
  }

  async waiting() {
    return (await this.list()).filter((action) => action.state === WAITING);
  }

  /** Send what waits, oldest first; stops at the first transient failure. */
  flush() {
    this.flushing ??= this.sendAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  async sendAll() {
    for (;;) {
      const waiting = await this.waiting(); // taps made while sending are picked up here
      if (waiting.length === 0) return;
      for (const action of waiting) {
        if (!(await this.sendOne(action))) return;
      }
    }
  }

  /** False when the link failed (try again later); true when the server answered. */
  async sendOne(action) {
    let incident = null;
    try {
      incident = await this.send(action);
      action.state = SENT;
    } catch (error) {
      if (error.transient || error.status === 401) return false;
      action.state = REFUSED;
      action.detail = error.message;
    }
    await this.db.put("actions", action);
    await this.onChange(action, incident);
    return true;
  }

  send(action) {
    const path = `/api/v1/incidents/${action.incident_id}`;
    if (action.status === "resolved") {
      return this.api.post(`${path}/resolve`, {
        ...action.resolve,
        op_id: action.op_id,
        device_at: action.device_at,
      });
    }
    return this.api.post(`${path}/status`, {
      status: action.status,
      op_id: action.op_id,
      device_at: action.device_at,
    });
  }
}
