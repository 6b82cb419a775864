// room.js: when the server speaks none of this page's protocol versions (it was
// upgraded since the page loaded), the room page stops saying "reconnecting…" and asks
// for a reload instead (docs/protocol.md, *Handshake and version*).
import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";

import { RoomConnection } from "../../src/visavis/web/static/visavis/js/protocol.js";
import { showReconnecting } from "../../src/visavis/web/static/visavis/js/room.js";

/** Just enough of a WebSocket for the connection: the test plays the server. */
class FakeWebSocket {
  static OPEN = 1;
  /** @type {FakeWebSocket[]} */
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.instances.push(this);
  }

  send(data) { this.sent.push(JSON.parse(data)); }

  close() { this.readyState = 2; }

  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({ type: "open" });
  }

  receive(message) { this.onmessage?.({ data: JSON.stringify(message) }); }

  drop(code) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/** The page's elements by id, as plain objects with the properties the code sets. */
let elements;
let reloads;
const saved = {};

beforeEach(() => {
  FakeWebSocket.instances = [];
  reloads = 0;
  elements = {
    reconnecting: { hidden: true },
    "reload-notice": { hidden: true },
    "reload-page": { onclick: null },
  };
  for (const name of ["WebSocket", "document", "window"]) {
    saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
  }
  const fakes = {
    WebSocket: FakeWebSocket,
    document: { getElementById: (id) => elements[id] ?? null },
    window: { location: { reload: () => { reloads += 1; } } },
  };
  for (const [name, value] of Object.entries(fakes)) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
});

afterEach(() => {
  mock.timers.reset();
  for (const [name, descriptor] of Object.entries(saved)) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
  }
});

const WELCOME = {
  type: "welcome", version: 2, id: "p-1", role: "guest", state: "waiting",
  max_participants: 4, resume: "token-1234567890ab", resumed: false,
};

test("an upgraded server that speaks none of our versions: 'please reload', no loop", () => {
  const connection = new RoomConnection("wss://example.test/ws/room", "room-token");
  showReconnecting(connection, () => assert.fail("no place was lost"));
  connection.connect();
  const first = FakeWebSocket.instances[0];
  first.open();
  assert.deepEqual(first.sent[0], { type: "hello", versions: [2], room: "room-token" });
  first.receive(WELCOME);

  first.drop(1012); // the server restarts for the upgrade
  assert.equal(elements.reconnecting.hidden, false, "reconnecting… while it is down");
  mock.timers.tick(1000);
  const second = FakeWebSocket.instances[1];
  second.open();
  assert.deepEqual(second.sent[0].versions, [2]);
  second.receive({
    type: "error", code: "version", message: "this server speaks version 3", versions: [3],
  });
  second.drop(1000);

  assert.equal(elements.reconnecting.hidden, true, "no longer 'reconnecting…'");
  assert.equal(elements["reload-notice"].hidden, false, "but 'please reload the page'");
  mock.timers.tick(120000);
  assert.equal(FakeWebSocket.instances.length, 2, "and no more attempts");
  elements["reload-page"].onclick();
  assert.equal(reloads, 1, "the button reloads the page");
});

test("other errors leave the reload notice hidden", () => {
  const connection = new RoomConnection("wss://example.test/ws/room", "room-token");
  showReconnecting(connection, () => {});
  connection.connect();
  const socket = FakeWebSocket.instances[0];
  socket.open();
  socket.receive({ type: "error", code: "not-allowed", message: "no" });
  socket.receive({ type: "error", code: "unknown-room", message: "gone" });
  socket.drop(1000);
  assert.equal(elements["reload-notice"].hidden, true);
});
