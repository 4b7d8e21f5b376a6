// The shared socket client (server/web/static/shared/socket.js) against a fake WebSocket and a
// mocked clock: hello with the stream position, gap → reconnect with the last seq applied,
// heartbeats with an answer deadline, capped backoff, refusal, resync. Run by
// test_socket_client_js.py (`node --test`).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mock, test } from "node:test";

const CAP_MS = 5_000; // issue 20: a reconnect is tried at least every ~5 s
const SOURCE = new URL("../../../server/web/static/shared/socket.js", import.meta.url);

class FakeSocket {
  static OPEN = 1;
  static all = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code) {
    this.closedWith = code;
    this.readyState = 3;
  }

  // The server's side.
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  say(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  end(code, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function fakeBrowser() {
  const listeners = () => ({ addEventListener() {}, removeEventListener() {} });
  globalThis.window = listeners();
  globalThis.document = { ...listeners(), visibilityState: "visible", documentElement: { dataset: {} } };
  Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });
  globalThis.WebSocket = FakeSocket;
  FakeSocket.all = [];
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function client({ lastSeq = null, epoch = null } = {}) {
  fakeBrowser();
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
  const { SocketClient, TIMING } = await import(`data:text/javascript,${encodeURIComponent(readFileSync(SOURCE, "utf8"))}`);
  const seen = { events: [], states: [], resyncs: [], refused: [], welcomes: [] };
  const socketClient = new SocketClient({
    url: "ws://test/ws/crew",
    token: "secret",
    position: async () => ({ lastSeq, epoch }),
    handlers: {
      onWelcome: (message, fresh) => seen.welcomes.push(fresh),
      onEvent: async (message) => seen.events.push(message.seq),
      onResync: (message) => seen.resyncs.push(message.seq),
      onState: (state) => seen.states.push(state),
      onRefused: (code) => seen.refused.push(code),
    },
  });
  socketClient.start();
  return { socketClient, seen, TIMING };
}

/** The newest socket, opened and welcomed at the stream's `head`. */
async function welcomed(head, epoch = "e1") {
  const socket = FakeSocket.all.at(-1);
  socket.open();
  await settle();
  socket.say({ type: "welcome", stream: "crew:1", epoch, seq: head });
  await settle();
  return socket;
}

test("hello carries the stored position, and a welcome makes the link live", async (t) => {
  t.after(() => mock.timers.reset());
  const { seen } = await client({ lastSeq: 7, epoch: "e1" });
  const socket = await welcomed(9);
  assert.deepEqual(socket.sent[0], { type: "hello", token: "secret", last_seq: 7, epoch: "e1" });
  assert.deepEqual(seen.welcomes, [false]);
  assert.equal(seen.states.at(-1), "live");
});

test("a jump in seq drops the socket and the next hello asks for the hole", async (t) => {
  t.after(() => mock.timers.reset());
  const { seen, TIMING } = await client({ lastSeq: 3, epoch: "e1" });
  const first = await welcomed(3);
  first.say({ type: "incident", seq: 4, data: {} });
  first.say({ type: "incident", seq: 6, data: {} }); // 5 is missing
  first.say({ type: "incident", seq: 7, data: {} }); // from the dropped socket: ignored
  await settle();
  assert.deepEqual(seen.events, [4]);
  assert.notEqual(first.closedWith, null);
  assert.equal(seen.states.at(-1), "reconnecting");
  mock.timers.tick(TIMING.backoffFirstMs);
  const second = await welcomed(7);
  assert.equal(second.sent[0].last_seq, 4);
  for (const seq of [5, 6, 7]) second.say({ type: "incident", seq, data: {} });
  second.say({ type: "incident", seq: 6, data: {} }); // a replay overlapping: applied once
  await settle();
  assert.deepEqual(seen.events, [4, 5, 6, 7]);
});

test("a heartbeat with no answer drops the socket; an answered one keeps it", async (t) => {
  t.after(() => mock.timers.reset());
  const { TIMING } = await client();
  const socket = await welcomed(0);
  mock.timers.tick(TIMING.heartbeatEveryMs);
  assert.deepEqual(socket.sent.at(-1), { type: "heartbeat" });
  mock.timers.tick(1);
  socket.say({ type: "pong" });
  await settle();
  mock.timers.tick(TIMING.heartbeatAnswerMs);
  assert.equal(socket.closedWith, null);
  mock.timers.tick(TIMING.heartbeatEveryMs - TIMING.heartbeatAnswerMs - 1); // the next heartbeat
  mock.timers.tick(TIMING.heartbeatAnswerMs); // and silence
  assert.notEqual(socket.closedWith, null);
  mock.timers.tick(TIMING.backoffFirstMs);
  assert.equal(FakeSocket.all.length, 2);
});

test("a handshake that gets no welcome is given up", async (t) => {
  t.after(() => mock.timers.reset());
  const { TIMING } = await client();
  const socket = FakeSocket.all[0];
  socket.open(); // the server accepted the connection and then said nothing (it is stopped)
  mock.timers.tick(TIMING.welcomeWithinMs);
  assert.notEqual(socket.closedWith, null);
});

test("reconnects back off with jitter up to the cap and start again fast after a welcome", async (t) => {
  t.after(() => mock.timers.reset());
  const { TIMING } = await client();
  const waits = [];
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const before = Date.now();
    FakeSocket.all.at(-1).end(1006);
    const count = FakeSocket.all.length;
    while (FakeSocket.all.length === count) mock.timers.tick(10);
    waits.push(Date.now() - before);
  }
  assert.ok(Math.max(...waits) <= CAP_MS + 10, waits);
  assert.ok(waits.at(-1) >= TIMING.backoffMaxMs / 2, waits);
  assert.ok(waits[0] <= TIMING.backoffFirstMs + 10, waits);
  await welcomed(0);
  const before = Date.now();
  FakeSocket.all.at(-1).end(1006);
  const count = FakeSocket.all.length;
  while (FakeSocket.all.length === count) mock.timers.tick(10);
  assert.ok(Date.now() - before <= TIMING.backoffFirstMs + 10);
});

test("a refused token stops the client for good", async (t) => {
  t.after(() => mock.timers.reset());
  const { seen, TIMING } = await client();
  FakeSocket.all[0].open();
  FakeSocket.all[0].end(4401, "token revoked");
  mock.timers.tick(TIMING.offlineRetryMs);
  assert.equal(FakeSocket.all.length, 1);
  assert.deepEqual(seen.refused, [4401]);
  assert.equal(seen.states.at(-1), "signed-out");
});

test("a resync takes the server's seq and tells the app", async (t) => {
  t.after(() => mock.timers.reset());
  const { socketClient, seen } = await client({ lastSeq: 2, epoch: "old" });
  const socket = await welcomed(50, "new");
  socket.say({ type: "resync", seq: 50, reason: "the server's database changed (epoch)" });
  socket.say({ type: "incident", seq: 51, data: {} });
  await settle();
  assert.deepEqual(seen.resyncs, [50]);
  assert.deepEqual(seen.events, [51]);
  assert.equal(socketClient.lastSeq, 51);
});
