// The tablet's side of /sync/v1 (the rules of sync/client.py, in the browser): every report
// edit is a mutation queued in IndexedDB with the next per-device client_seq and an HLC stamp,
// pushed in order; the server's verdict for each is kept and shown (applied, a conflict the
// dispatcher will see, or rejected with its reason), never dropped. Pull brings the server's
// state of the crew's scopes back by per-scope cursors, with a snapshot for a new scope.

import { asBigInt, parseJson, receive, tick, toJson, uuid7 } from "./ids.js";

export const SCHEMA_VERSION = 1;
export const PENDING = "pending";
export const APPLIED = "applied";
export const CONFLICT = "conflict";
export const REJECTED = "rejected";
const BATCH = 50;
const PULL_PAGE = 500;
const MAX_ROUNDS = 200;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15_000;

export class SyncClient {
  constructor(db, api, onChange) {
    this.db = db;
    this.api = api;
    this.onChange = onChange;
    this.running = null;
    this.again = false;
    this.retryMs = RETRY_MIN_MS;
    this.retryTimer = null;
  }

  async deviceId() {
    let id = await this.db.meta("device_id");
    if (id === null) {
      id = uuid7();
      await this.db.setMeta("device_id", id);
    }
    return id;
  }

  /** Queue one mutation: `body` is its fields (and base), the ids and stamp are added here. */
  async enqueue(name, entityId, body, label) {
    const mutation = await this.db.transact(["meta", "mutations"], async (stores) => {
      const seq = await stores.meta.meta("next_seq", 1);
      const stamp = tick(asBigInt(await stores.meta.meta("hlc", 0n)), Date.now());
      const wire = { name, mutation_id: uuid7(), client_seq: seq, hlc: stamp, entity_id: entityId, ...body };
      const row = { client_seq: seq, state: PENDING, label, detail: "", wire };
      await stores.mutations.put(row);
      await stores.meta.setMeta("next_seq", seq + 1);
      await stores.meta.setMeta("hlc", stamp);
      return row;
    });
    await this.onChange();
    return mutation;
  }

  async mutations() {
    return (await this.db.all("mutations")).sort((a, b) => a.client_seq - b.client_seq);
  }

  async pending() {
    return (await this.mutations()).filter((row) => row.state === PENDING);
  }

  /** Push then pull; one run at a time, and a call during a run asks for one more. A run cut
   * by a transient failure (the link came back a moment too early) is tried again soon, with
   * backoff, so neither it nor a request made during it waits for the next periodic flush. */
  sync() {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.push();
          await this.pull();
        } while (this.again);
        this.retryMs = RETRY_MIN_MS;
      } catch (error) {
        if (error.transient) this.retryLater();
        throw error;
      } finally {
        this.running = null;
        await this.onChange();
      }
    })();
    return this.running;
  }

  retryLater() {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (navigator.onLine) this.sync().catch(() => {});
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  async push() {
    let size = BATCH;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const batch = (await this.pending()).slice(0, size);
      if (batch.length === 0) return;
      let reply;
      try {
        reply = parseJson(await this.api.postText("/sync/v1/push", await this.pushBody(batch)));
      } catch (error) {
        if (error.status === 413) {
          if (batch.length === 1) await this.settle(batch[0], REJECTED, error.message);
          size = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        if (error.status === 409 && error.code === "gap" && (await this.renumber(error.body.expected))) continue;
        throw error;
      }
      await this.record(reply, batch);
    }
  }

  async pushBody(batch) {
    return toJson({
      schema_version: SCHEMA_VERSION,
      device_id: await this.deviceId(),
      device_wall_ms: Date.now(),
      client_hlc: asBigInt(await this.db.meta("hlc", 0n)),
      mutations: batch.map((row) => row.wire),
    });
  }

  async record(reply, batch) {
    if (reply.last_seq < batch[0].client_seq) throw new Error("the server answered a push without taking it");
    const bySeq = new Map(batch.map((row) => [row.client_seq, row]));
    for (const result of reply.results) {
      const row = bySeq.get(result.client_seq);
      if (row === undefined) continue;
      const outcome = result.status === "duplicate" ? (result.original ?? { status: "applied" }) : result;
      if (outcome.status === "rejected") await this.settle(row, REJECTED, `${outcome.code}: ${outcome.reason}`);
      else await this.settle(row, outcome.conflicts > 0 ? CONFLICT : APPLIED, "");
    }
    await this.observe(reply.server_hlc);
  }

  async settle(row, state, detail) {
    row.state = state;
    row.detail = detail;
    await this.db.put("mutations", row);
  }

  async observe(serverHlc) {
    await this.db.transact(["meta"], async (stores) => {
      const last = asBigInt(await stores.meta.meta("hlc", 0n));
      await stores.meta.setMeta("hlc", receive(last, asBigInt(serverHlc ?? 0n), Date.now()));
    });
  }

  /** After `409 gap`: the server never got some seqs; number what waits from `expected`. */
  async renumber(expected) {
    const waiting = await this.pending();
    if (waiting.length === 0 || !(waiting[0].client_seq > expected)) return false;
    await this.db.transact(["meta", "mutations"], async (stores) => {
      for (const row of waiting) await stores.mutations.delete(row.client_seq);
      let seq = expected;
      for (const row of waiting) {
        row.client_seq = seq;
        row.wire = { ...row.wire, client_seq: seq };
        await stores.mutations.put(row);
        seq += 1;
      }
      await stores.meta.setMeta("next_seq", seq);
    });
    return true;
  }

  async pull() {
    const deviceId = await this.deviceId();
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const cursors = await this.db.meta("cursors", {});
      const request = { schema_version: SCHEMA_VERSION, device_id: deviceId, cursors, limit: PULL_PAGE };
      const page = parseJson(await this.api.postText("/sync/v1/pull", toJson(request)));
      const next = { ...page.cursors };
      for (const scope of page.reset) next[scope] = await this.snapshot(scope, deviceId);
      await this.apply(page.changes, next);
      await this.observe(page.server_hlc);
      if (!page.has_more && page.reset.length === 0) return;
    }
  }

  /** Fetch a scope's rows (NDJSON pages); returns the cursor to pull it from afterwards. */
  async snapshot(scope, deviceId) {
    const query = new URLSearchParams({ scope, device_id: deviceId, schema_version: String(SCHEMA_VERSION) });
    const text = await this.api.getText(`/sync/v1/snapshot?${query}`);
    const pages = text.split("\n").filter((line) => line.trim() !== "").map(parseJson);
    if (pages.length === 0 || pages[pages.length - 1].next_after_id != null) {
      throw new Error(`the snapshot of ${scope} was cut short`);
    }
    const rows = pages.flatMap((page) => page.rows);
    await this.db.transact(["entities"], async (stores) => {
      for (const row of rows) {
        await stores.entities.put({ key: `${row.kind}:${row.entity_id}`, kind: row.kind, entity_id: row.entity_id, fields: row.fields });
      }
    });
    return pages[0].cursor;
  }

  async apply(changes, cursors) {
    await this.db.transact(["entities", "meta"], async (stores) => {
      for (const change of changes) {
        const key = `${change.kind}:${change.entity_id}`;
        if (change.op === "purge") {
          await stores.entities.delete(key);
          continue;
        }
        const entity = (await stores.entities.get(key)) ?? { key, kind: change.kind, entity_id: change.entity_id, fields: {} };
        // The change log holds each field's value after the server's merge: it replaces ours.
        entity.fields = { ...entity.fields, ...change.fields };
        await stores.entities.put(entity);
      }
      await stores.meta.setMeta("cursors", cursors);
    });
  }

  entity(kind, entityId) {
    return this.db.get("entities", `${kind}:${entityId}`);
  }
}
