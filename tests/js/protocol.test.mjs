// protocol.js: the room's signalling connection, driven through a fake WebSocket.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
  PROTOCOL_VERSION,
  RoomConnection,
  socketUrl,
} from "../../src/visavis/web/static/visavis/js/protocol.js";

/** Records what the client sends; the test plays the server with open/receive/drop. */
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeWebSocket[]} */
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.closeCalls = 0;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    FakeWebSocket.instances.push(this);
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error("send on a socket that is not open");
    this.sent.push(data);
  }

  close() {
    this.closeCalls += 1;
    this.readyState = FakeWebSocket.CLOSING;
  }

  /** Test side: the server accepted the connection. */
  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({ type: "open" });
  }

  /** Test side: a frame from the server. */
  receive(data) {
    this.onmessage?.({ type: "message", data: typeof data === "string" ? data : JSON.stringify(data) });
  }

  /** Test side: the connection is gone. */
  drop() {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ type: "close" });
  }

  /** What the client sent, parsed. */
  messages() {
    return this.sent.map((text) => JSON.parse(text));
  }
}

const savedWebSocket = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
/** @type {RoomConnection[]} */
let connections = [];

beforeEach(() => {
  FakeWebSocket.instances = [];
  connections = [];
  Object.defineProperty(globalThis, "WebSocket", {
    value: FakeWebSocket,
    configurable: true,
    writable: true,
  });
});

afterEach(() => {
  // Stop the ping timers of every connection a test opened.
  for (const connection of connections) connection.close();
  if (savedWebSocket) Object.defineProperty(globalThis, "WebSocket", savedWebSocket);
  else delete globalThis.WebSocket;
});

/** A connected RoomConnection and its fake socket, opened by the "server". */
function openConnection({ room = "room-token", open = true } = {}) {
  const connection = new RoomConnection("wss://example.test/ws/room/", room);
  connections.push(connection);
  connection.connect();
  const socket = FakeWebSocket.instances.at(-1);
  if (open) socket.open();
  return { connection, socket };
}

describe("connect", () => {
  test("opens a socket to the given URL and says hello with version 1 and the room", () => {
    const { connection, socket } = openConnection({ room: "abc123", open: false });
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.equal(socket.url, "wss://example.test/ws/room/");
    assert.equal(connection.socket, socket);
    assert.deepEqual(socket.sent, [], "nothing is sent before the socket opens");

    socket.open();
    assert.equal(PROTOCOL_VERSION, 1);
    assert.deepEqual(socket.messages(), [{ type: "hello", version: 1, room: "abc123" }]);
  });

  test("pings the server every 20 seconds while open and stops when closed", (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const { connection, socket } = openConnection();
    t.mock.timers.tick(19999);
    assert.deepEqual(socket.messages().map((m) => m.type), ["hello"]);
    t.mock.timers.tick(1);
    assert.deepEqual(socket.messages().map((m) => m.type), ["hello", "ping"]);
    t.mock.timers.tick(20000);
    assert.deepEqual(socket.messages().map((m) => m.type), ["hello", "ping", "ping"]);
    connection.close();
    socket.readyState = FakeWebSocket.OPEN; // even if the socket were still open
    t.mock.timers.tick(60000);
    assert.deepEqual(socket.messages().map((m) => m.type), ["hello", "ping", "ping"]);
  });

  test("reconnecting resets closedByUs", () => {
    const { connection } = openConnection();
    connection.close();
    assert.equal(connection.closedByUs, true);
    connection.connect();
    assert.equal(connection.closedByUs, false);
    assert.equal(FakeWebSocket.instances.length, 2);
  });
});

describe("dispatch", () => {
  /** Set every on<event> callback of `connection` to record its calls. */
  function record(connection) {
    const calls = [];
    for (const name of [
      "onwelcome", "onwaiting", "onlobby", "onadmitted", "onjoined", "onleft",
      "ondenied", "onreplaced", "onsignal", "onerror", "onclose",
    ]) {
      connection[name] = (...args) => calls.push([name, ...args]);
    }
    return calls;
  }

  test("welcome stores id and role and reports the message", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    const welcome = {
      type: "welcome", version: 1, id: "p-1", role: "guest", state: "lobby", max_participants: 4,
    };
    socket.receive(welcome);
    assert.equal(connection.id, "p-1");
    assert.equal(connection.role, "guest");
    assert.deepEqual(calls, [["onwelcome", welcome]]);
  });

  const peer = { id: "p-2", name: "Alex", role: "guest" };
  const routes = [
    [{ type: "waiting" }, ["onwaiting"]],
    [{ type: "lobby", waiting: [{ id: "p-3", name: "Sam" }] }, ["onlobby", [{ id: "p-3", name: "Sam" }]]],
    [{ type: "admitted", peers: [peer] }, ["onadmitted", [peer]]],
    [{ type: "joined", peer }, ["onjoined", peer]],
    [{ type: "left", id: "p-2" }, ["onleft", "p-2"]],
    [
      { type: "signal", from: "p-2", data: { description: { type: "offer", sdp: "v=0" } } },
      ["onsignal", "p-2", { description: { type: "offer", sdp: "v=0" } }],
    ],
    [{ type: "error", code: "room-full", message: "full" }, ["onerror", "room-full", "full"]],
    [{ type: "denied" }, ["ondenied"]],
    [{ type: "replaced" }, ["onreplaced"]],
  ];
  for (const [message, expected] of routes) {
    test(`${message.type} goes to ${expected[0]}`, () => {
      const { connection, socket } = openConnection();
      const calls = record(connection);
      socket.receive(message);
      assert.deepEqual(calls, [expected]);
    });
  }

  test("pong and unknown types call nothing", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    socket.receive({ type: "pong" });
    socket.receive({ type: "no-such-type" });
    socket.receive({});
    assert.deepEqual(calls, []);
    assert.equal(connection.closedByUs, false);
  });

  for (const type of ["denied", "replaced"]) {
    test(`${type} marks the connection closed by us, so its close is expected`, () => {
      const { connection, socket } = openConnection();
      const calls = record(connection);
      assert.equal(connection.closedByUs, false);
      socket.receive({ type });
      assert.equal(connection.closedByUs, true);
      socket.drop();
      assert.deepEqual(calls.at(-1), ["onclose", true]);
    });
  }

  test("other messages leave closedByUs alone", () => {
    const { connection, socket } = openConnection();
    record(connection);
    socket.receive({ type: "left", id: "p-2" });
    socket.receive({ type: "error", code: "not-allowed", message: "no" });
    assert.equal(connection.closedByUs, false);
  });

  test("invalid JSON is ignored", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    assert.doesNotThrow(() => socket.receive("{not json"));
    assert.doesNotThrow(() => connection.dispatch(""));
    assert.deepEqual(calls, []);
    socket.receive({ type: "waiting" });
    assert.deepEqual(calls, [["onwaiting"]], "the connection still works afterwards");
  });
});

describe("close", () => {
  test("an unexpected drop reports onclose(false) and forgets the socket", () => {
    const { connection, socket } = openConnection();
    const closes = [];
    connection.onclose = (expected) => closes.push(expected);
    socket.drop();
    assert.deepEqual(closes, [false]);
    assert.equal(connection.socket, null);
  });

  test("leave sends leave, closes the socket and reports onclose(true)", () => {
    const { connection, socket } = openConnection();
    const closes = [];
    connection.onclose = (expected) => closes.push(expected);
    connection.leave();
    assert.deepEqual(socket.messages().at(-1), { type: "leave" });
    assert.equal(socket.closeCalls, 1);
    assert.equal(connection.closedByUs, true);
    socket.drop();
    assert.deepEqual(closes, [true]);
  });

  test("close before connect does not throw", () => {
    const connection = new RoomConnection("ws://x/", "r");
    assert.doesNotThrow(() => connection.close());
    assert.equal(connection.closedByUs, true);
  });
});

describe("send", () => {
  test("sends JSON when the socket is open", () => {
    const { connection, socket } = openConnection();
    connection.knock("Alex");
    connection.admit("p-2");
    connection.deny("p-3");
    connection.signal("p-2", { candidate: { candidate: "candidate:1", sdpMid: "0" } });
    assert.deepEqual(socket.messages().slice(1), [
      { type: "knock", name: "Alex" },
      { type: "admit", id: "p-2" },
      { type: "deny", id: "p-3" },
      { type: "signal", to: "p-2", data: { candidate: { candidate: "candidate:1", sdpMid: "0" } } },
    ]);
  });

  test("does nothing when there is no socket", () => {
    const connection = new RoomConnection("ws://x/", "r");
    assert.doesNotThrow(() => connection.send({ type: "ping" }));
  });

  for (const state of ["CONNECTING", "CLOSING", "CLOSED"]) {
    test(`does nothing while the socket is ${state}`, () => {
      const { connection, socket } = openConnection({ open: false });
      socket.readyState = FakeWebSocket[state];
      connection.knock("Alex");
      assert.deepEqual(socket.sent, []);
    });
  }
});

describe("socketUrl", () => {
  test("uses wss: on an https page", () => {
    assert.equal(
      socketUrl("/ws/room/", /** @type {Location} */ ({ protocol: "https:", host: "visavis.example:8443" })),
      "wss://visavis.example:8443/ws/room/",
    );
  });

  test("uses ws: on an http page", () => {
    assert.equal(
      socketUrl("/ws/room/", /** @type {Location} */ ({ protocol: "http:", host: "127.0.0.1:8000" })),
      "ws://127.0.0.1:8000/ws/room/",
    );
  });
});
