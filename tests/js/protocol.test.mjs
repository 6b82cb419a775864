// protocol.js: the room's signalling connection, driven through a fake WebSocket, with
// mocked timers and clock (pings, silence detection and reconnect backoff).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import {
  CLOSE_SERVICE_RESTART,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  RoomConnection,
  reconnectDelay,
  socketUrl,
} from "../../src/visavis/web/static/visavis/js/protocol.js";
import { FakeWebSocket, untilNewSocket } from "./fake-websocket.mjs";

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
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
});

afterEach(() => {
  // Stop the ping and reconnect timers of every connection a test opened.
  for (const connection of connections) connection.close();
  mock.timers.reset();
  mock.restoreAll();
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

/** The socket the connection opened last. */
function latest() {
  return FakeWebSocket.instances.at(-1);
}

/** A welcome as the server sends it; `overrides` replace fields. */
function welcome(overrides = {}) {
  return {
    type: "welcome", version: 2, id: "p-1", role: "guest", state: "admitted",
    max_participants: 4, resume: "token-1", resumed: false,
    ice_transport_policy: "all", ...overrides,
  };
}

/** Set every on<event> callback of `connection` to record its calls. */
function record(connection) {
  const calls = [];
  for (const name of [
    "onwelcome", "onwaiting", "onwaitingroom", "onadmitted", "onjoined", "onleft",
    "ondenied", "onreplaced", "onsignal", "onerror", "onclose", "onreconnecting",
    "onreconnected", "onsentback", "onremoved", "onended", "onnote", "onstatus",
    "oniceservers", "onlinkclosed", "onloggedout", "onoutdated",
  ]) {
    connection[name] = (...args) => calls.push([name, ...args]);
  }
  return calls;
}

/** The names of the recorded calls, e.g. ["onreconnecting", "onwelcome"]. */
function names(calls) {
  return calls.map(([name]) => name);
}

/** Drop the connection's socket, then let it reconnect; the new socket is opened. */
function dropAndReconnect(code = 1006) {
  latest().drop(code);
  untilNewSocket();
  latest().open();
  return latest();
}

/** Make Math.random return `value` for this test. */
function pinRandom(value) {
  mock.method(Math, "random", () => value);
}

const candidate = (n) => ({ candidate: { candidate: `candidate:${n}`, sdpMid: "0" } });

describe("connect", () => {
  test("opens a socket to the given URL and says hello with the versions it speaks and the room", () => {
    const { connection, socket } = openConnection({ room: "abc123", open: false });
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.equal(socket.url, "wss://example.test/ws/room/");
    assert.equal(connection.socket, socket);
    assert.deepEqual(socket.sent, [], "nothing is sent before the socket opens");

    socket.open();
    assert.equal(PROTOCOL_VERSION, 2);
    assert.deepEqual(PROTOCOL_VERSIONS, [2]);
    assert.deepEqual(socket.messages(), [{ type: "hello", versions: [2], room: "abc123" }]);
  });

  test("pings the server every 15 seconds while open and stops when closed", () => {
    const { connection, socket } = openConnection();
    const types = () => socket.messages().map((m) => m.type);
    mock.timers.tick(14999);
    assert.deepEqual(types(), ["hello"]);
    mock.timers.tick(1);
    assert.deepEqual(types(), ["hello", "ping"]);
    socket.receive({ type: "pong" });
    mock.timers.tick(15000);
    assert.deepEqual(types(), ["hello", "ping", "ping"]);
    socket.receive({ type: "pong" });
    connection.close();
    socket.readyState = FakeWebSocket.OPEN; // even if the socket were still open
    mock.timers.tick(60000);
    assert.deepEqual(types(), ["hello", "ping", "ping"]);
  });

  test("connect after close resets closedByUs", () => {
    const { connection } = openConnection();
    connection.close();
    assert.equal(connection.closedByUs, true);
    connection.connect();
    assert.equal(connection.closedByUs, false);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test("a late close event of the socket closed before connecting again is ignored", () => {
    const { connection, socket } = openConnection();
    connection.close();
    connection.connect();
    const second = latest();
    second.open();
    const calls = record(connection);
    socket.drop(1000);
    assert.equal(connection.socket, second);
    assert.deepEqual(calls, []);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 2);
  });
});

describe("dispatch", () => {
  test("welcome stores id, role, resume token and the welcome, and reports it", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    const message = welcome({ id: "p-1", role: "guest", resume: "secret-1" });
    socket.receive(message);
    assert.equal(connection.id, "p-1");
    assert.equal(connection.role, "guest");
    assert.equal(connection.resumeToken, "secret-1");
    assert.deepEqual(connection.welcome, message);
    assert.deepEqual(calls, [["onwelcome", message]], "the first welcome is no reconnect");
  });

  const peer = { id: "p-2", name: "Alex", role: "guest" };
  const iceServers = {
    ice_servers: [{ urls: ["turn:turn.example.org:3478"], username: "1795021600:p-1", credential: "c" }],
    ice_transport_policy: "all", expires_at: "2026-11-17T10:40:00Z",
  };
  const routes = [
    [{ type: "waiting" }, ["onwaiting", { counselorPresent: false, callFull: false }]],
    [
      { type: "waiting", counselor_present: true, call_full: true },
      ["onwaiting", { counselorPresent: true, callFull: true }],
    ],
    [{ type: "waiting-room", waiting: [{ id: "p-3", name: "Sam" }] }, ["onwaitingroom", [{ id: "p-3", name: "Sam" }]]],
    [{ type: "admitted", peers: [peer] }, ["onadmitted", [peer]]],
    [{ type: "joined", peer }, ["onjoined", peer]],
    [{ type: "left", id: "p-2" }, ["onleft", "p-2"]],
    [
      { type: "signal", from: "p-2", data: { description: { type: "offer", sdp: "v=0" } } },
      ["onsignal", "p-2", { description: { type: "offer", sdp: "v=0" } }],
    ],
    [{ type: "error", code: "room-full", message: "full" }, ["onerror", "room-full", "full"]],
    [{ type: "denied" }, ["ondenied", null]],
    [{ type: "denied", message: "Wrong link." }, ["ondenied", "Wrong link."]],
    [{ type: "replaced" }, ["onreplaced"]],
    [{ type: "sent-back" }, ["onsentback"]],
    [{ type: "removed" }, ["onremoved"]],
    [{ type: "ended" }, ["onended"]],
    [{ type: "link-closed" }, ["onlinkclosed"]],
    [{ type: "logged-out" }, ["onloggedout"]],
    [{ type: "ice-servers", ...iceServers }, ["oniceservers", { type: "ice-servers", ...iceServers }]],
    [{ type: "note", text: "Five minutes." }, ["onnote", "Five minutes."]],
    [
      { type: "status", locked: true, note: "", ends_at: "2026-11-22T15:50:00Z" },
      ["onstatus", { type: "status", locked: true, note: "", ends_at: "2026-11-22T15:50:00Z" }],
    ],
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
    socket.receive("null");
    socket.receive("42");
    assert.deepEqual(calls, []);
    assert.equal(connection.closedByUs, false);
  });

  test("invalid JSON is ignored", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    assert.doesNotThrow(() => socket.receive("{not json"));
    assert.doesNotThrow(() => connection.dispatch(""));
    assert.deepEqual(calls, []);
    socket.receive({ type: "waiting" });
    assert.deepEqual(calls, [["onwaiting", { counselorPresent: false, callFull: false }]],
      "the connection still works afterwards");
  });
});

describe("reconnect after an unexpected close", () => {
  test("reports onreconnecting, not onclose, and forgets the socket", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    socket.drop();
    assert.deepEqual(calls, [["onreconnecting"]]);
    assert.equal(connection.socket, null);
  });

  test("opens a new socket to the same URL and resumes with the token of the welcome", () => {
    const { connection, socket } = openConnection({ room: "abc123" });
    socket.receive(welcome({ resume: "token-1" }));
    socket.drop();
    assert.equal(FakeWebSocket.instances.length, 1, "not in the same instant");
    const waited = untilNewSocket();
    assert.ok(waited < 1000, `first retry after ${waited} ms`);
    const second = latest();
    assert.equal(second.url, socket.url);
    assert.equal(connection.socket, second);
    second.open();
    assert.deepEqual(second.messages(), [
      { type: "hello", versions: [2], room: "abc123", resume: "token-1" },
    ]);
  });

  test("resumes with the token of the latest welcome", () => {
    const { socket } = openConnection();
    socket.receive(welcome({ resume: "token-1" }));
    const second = dropAndReconnect();
    assert.equal(second.messages()[0].resume, "token-1");
    second.receive(welcome({ resume: "token-2", resumed: true }));
    const third = dropAndReconnect();
    assert.deepEqual(third.messages(), [
      { type: "hello", versions: [2], room: "room-token", resume: "token-2" },
    ]);
  });

  test("says hello without resume when no welcome came before the drop", () => {
    openConnection();
    const second = dropAndReconnect();
    assert.deepEqual(second.messages(), [{ type: "hello", versions: [2], room: "room-token" }]);
  });

  test("onreconnecting fires once per outage, onreconnected(true) on the next welcome", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    socket.drop();
    untilNewSocket();
    latest().drop(); // the server is still away: the new socket never opens
    untilNewSocket();
    latest().open();
    latest().drop(); // opens, then drops before any welcome
    untilNewSocket();
    latest().open();
    assert.deepEqual(calls, [["onreconnecting"]]);
    const back = welcome({ resume: "token-2", resumed: true });
    latest().receive(back);
    assert.deepEqual(calls.filter(([name]) => name !== "onwelcome"), [
      ["onreconnecting"],
      ["onreconnected", true],
    ]);
    assert.deepEqual(calls.filter(([name]) => name === "onwelcome"), [["onwelcome", back]]);
    assert.equal(connection.resumeToken, "token-2");

    // A later welcome on the same socket is no reconnect.
    latest().receive(welcome({ resume: "token-3" }));
    assert.equal(names(calls).filter((name) => name === "onreconnected").length, 1);

    // The next outage is reported again.
    dropAndReconnect().receive(welcome({ resumed: true }));
    assert.deepEqual(names(calls).filter((name) => name.startsWith("onreconnect")), [
      "onreconnecting", "onreconnected", "onreconnecting", "onreconnected",
    ]);
  });

  test("onreconnected(false) when the server no longer kept the place", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome({ id: "p-1", resume: "token-1" }));
    const calls = record(connection);
    const fresh = welcome({ id: "p-9", resume: "token-9", resumed: false, state: "lobby" });
    dropAndReconnect().receive(fresh);
    assert.deepEqual(calls, [["onreconnecting"], ["onreconnected", false], ["onwelcome", fresh]]);
    assert.equal(connection.id, "p-9");
    assert.equal(connection.resumeToken, "token-9");
  });

  test("waits longer after each failed attempt, and starts afresh after a welcome", () => {
    const { socket } = openConnection();
    socket.receive(welcome());
    socket.drop();
    const waits = [];
    for (let attempt = 0; attempt < 7; attempt += 1) {
      waits.push(untilNewSocket());
      latest().drop();
    }
    for (let i = 1; i < 5; i += 1) {
      assert.ok(waits[i] > waits[i - 1], `waits should grow: ${waits}`);
    }
    assert.ok(Math.max(...waits) <= 10000, `waits should be capped: ${waits}`);
    assert.ok(waits[6] >= 5000, `the wait stays long while the server is away: ${waits}`);

    untilNewSocket();
    latest().open();
    latest().receive(welcome({ resumed: true }));
    latest().drop();
    const after = untilNewSocket();
    assert.ok(after <= 320, `after a welcome the first retry is quick again, waited ${after} ms`);
  });

  test("close code 1012 (service restart) reconnects within 500 ms", () => {
    assert.equal(CLOSE_SERVICE_RESTART, 1012);
    pinRandom(0.9999); // the longest jitter
    const { socket } = openConnection();
    socket.receive(welcome({ resume: "token-1" }));
    socket.drop(1012);
    mock.timers.tick(500);
    assert.equal(FakeWebSocket.instances.length, 2);
    latest().open();
    assert.equal(latest().messages()[0].resume, "token-1");
  });

  test("signals sent while down are queued and flushed after a resumed welcome", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    connection.signal("p-2", candidate(0)); // sent at once
    socket.drop();
    connection.signal("p-2", candidate(1));
    connection.knock("Alex"); // not a signal: not kept
    connection.signal("p-3", candidate(2));
    untilNewSocket();
    connection.signal("p-2", candidate(3)); // the new socket is still connecting
    latest().open();
    assert.deepEqual(latest().messages().map((m) => m.type), ["hello"], "nothing before the welcome");
    latest().receive(welcome({ resumed: true }));
    assert.deepEqual(latest().messages().slice(1), [
      { type: "signal", to: "p-2", data: candidate(1) },
      { type: "signal", to: "p-3", data: candidate(2) },
      { type: "signal", to: "p-2", data: candidate(3) },
    ]);

    // Sent once only: not again after the next outage.
    const third = dropAndReconnect();
    third.receive(welcome({ resumed: true }));
    assert.deepEqual(third.messages().map((m) => m.type), ["hello"]);
  });

  test("signals queued while down are dropped after a welcome that did not resume", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome({ id: "p-1" }));
    socket.drop();
    connection.signal("p-2", candidate(1));
    untilNewSocket();
    latest().open();
    latest().receive(welcome({ id: "p-9", resumed: false }));
    assert.deepEqual(latest().messages().map((m) => m.type), ["hello"]);

    const third = dropAndReconnect();
    third.receive(welcome({ id: "p-9", resumed: true }));
    assert.deepEqual(third.messages().map((m) => m.type), ["hello"], "nor sent later");
  });

  test("the queue of signals is bounded and keeps the oldest", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    socket.drop();
    for (let n = 0; n < 1000; n += 1) connection.signal("p-2", candidate(n));
    untilNewSocket();
    latest().open();
    latest().receive(welcome({ resumed: true }));
    const signals = latest().messages().filter((m) => m.type === "signal");
    assert.ok(signals.length > 0 && signals.length < 1000, `${signals.length} signals sent`);
    assert.deepEqual(signals.map((m) => m.data), signals.map((_, n) => candidate(n)));
  });
});

describe("no reconnect", () => {
  /** Let a minute pass and check that no socket was opened and nothing reported a reconnect. */
  function assertStaysClosed(calls, sockets) {
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, sockets, "no new socket");
    assert.deepEqual(names(calls).filter((name) => name.startsWith("onreconnect")), []);
    assert.equal(names(calls).filter((name) => name === "onclose").length, 1, "onclose exactly once");
  }

  test("after close(): onclose() once the socket has closed, with no argument", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    connection.close();
    assert.equal(socket.closeCalls, 1);
    assert.deepEqual(calls, [], "onclose waits for the socket");
    socket.drop(1000);
    assert.deepEqual(calls, [["onclose"]]);
    assertStaysClosed(calls, 1);
  });

  test("after leave(): sends leave and closes", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    connection.leave();
    assert.deepEqual(socket.messages().at(-1), { type: "leave" });
    assert.equal(socket.closeCalls, 1);
    socket.drop(1000);
    assert.deepEqual(calls, [["onclose"]]);
    assertStaysClosed(calls, 1);
  });

  test("after close() while waiting to reconnect: onclose() at once", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    socket.drop();
    connection.close();
    assert.deepEqual(calls, [["onreconnecting"], ["onclose"]]);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.equal(names(calls).filter((name) => name === "onclose").length, 1);
  });

  test("after close() while the new socket is still connecting", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    socket.drop();
    untilNewSocket();
    const second = latest();
    connection.close();
    assert.equal(second.closeCalls, 1);
    second.drop(1006);
    assert.deepEqual(calls, [["onreconnecting"], ["onclose"]]);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test("close() before connect reports onclose and does not throw", () => {
    const connection = new RoomConnection("ws://x/", "r");
    const calls = record(connection);
    assert.doesNotThrow(() => connection.close());
    assert.equal(connection.closedByUs, true);
    assert.deepEqual(calls, [["onclose"]]);
  });

  for (const [message, callback] of [
    [{ type: "denied" }, "ondenied"],
    [{ type: "replaced" }, "onreplaced"],
    [{ type: "link-closed" }, "onlinkclosed"],
    [{ type: "logged-out" }, "onloggedout"],
    [{ type: "error", code: "unknown-room", message: "no such room" }, "onerror"],
  ]) {
    const label = message.type === "error" ? `an ${message.code} error` : message.type;
    test(`after ${label}: the server's close is final`, () => {
      const { connection, socket } = openConnection();
      socket.receive(welcome());
      const calls = record(connection);
      socket.receive(message);
      assert.equal(connection.closedByUs, true);
      socket.drop(1000);
      assert.deepEqual(names(calls), [callback, "onclose"]);
      assertStaysClosed(calls, 1);
    });
  }

  test("after an unknown-room error during a reconnect (the appointment was cancelled)", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    const second = dropAndReconnect();
    second.receive({ type: "error", code: "unknown-room", message: "no such room" });
    second.drop(1000);
    assert.deepEqual(names(calls), ["onreconnecting", "onerror", "onclose"]);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test("a version error on reconnecting (the server was upgraded) stops for good: reload", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    const second = dropAndReconnect();
    assert.deepEqual(second.messages()[0].versions, [2]);
    second.receive({
      type: "error", code: "version", message: "this server speaks versions 3 and 4", versions: [3, 4],
    });
    assert.equal(connection.closedByUs, true);
    assert.equal(second.closeCalls, 1, "the client closes the socket itself");
    second.drop(1000);
    assert.deepEqual(calls, [["onreconnecting"], ["onoutdated", [3, 4]], ["onclose"]]);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 2, "no reconnecting in a loop");
  });

  test("a version error without a list of versions still asks for a reload", () => {
    const { connection, socket } = openConnection();
    const calls = record(connection);
    socket.receive({ type: "error", code: "version", message: "no" });
    socket.drop(1000);
    assert.deepEqual(calls, [["onoutdated", []], ["onclose"]]);
  });

  test("other errors do not stop reconnecting", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    socket.receive({ type: "error", code: "not-allowed", message: "no" });
    socket.receive({ type: "error", code: "room-full", message: "full" });
    socket.receive({ type: "left", id: "p-2" });
    assert.equal(connection.closedByUs, false);
    socket.drop();
    untilNewSocket();
    assert.deepEqual(names(calls), ["onerror", "onerror", "onleft", "onreconnecting"]);
  });

  test("signals are not queued after close()", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    socket.drop();
    connection.signal("p-2", candidate(1)); // queued while reconnecting...
    connection.close(); // ...and forgotten on close
    connection.signal("p-2", candidate(2)); // not queued at all
    connection.connect();
    latest().open();
    latest().receive(welcome({ resumed: true }));
    assert.deepEqual(latest().messages().map((m) => m.type), ["hello"]);
  });
});

describe("keepAlive", () => {
  test("drops a socket that stayed silent for more than 40 s and reconnects", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome({ resume: "token-1" }));
    const calls = record(connection);
    mock.timers.tick(40000);
    assert.equal(socket.closeCalls, 0, "not within 40 s");
    assert.deepEqual(calls, []);
    mock.timers.tick(20000);
    assert.equal(socket.closeCalls, 1, "closed by 60 s of silence");
    assert.equal(socket.onclose, null, "its late close event is ignored");
    assert.equal(connection.socket, null);
    assert.deepEqual(calls, [["onreconnecting"]]);

    untilNewSocket();
    latest().open();
    assert.deepEqual(latest().messages(), [
      { type: "hello", versions: [2], room: "room-token", resume: "token-1" },
    ]);
    latest().receive(welcome({ resumed: true }));
    assert.deepEqual(names(calls), ["onreconnecting", "onreconnected", "onwelcome"]);
  });

  test("keeps a socket that answers the pings", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    for (let i = 0; i < 20; i += 1) {
      mock.timers.tick(15000);
      socket.receive({ type: "pong" });
    }
    assert.equal(socket.closeCalls, 0);
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.deepEqual(calls, []);
  });

  test("any message from the server counts as a sign of life", () => {
    const { socket } = openConnection();
    for (let i = 0; i < 10; i += 1) {
      mock.timers.tick(30000);
      socket.receive({ type: "waiting-room", waiting: [] });
    }
    assert.equal(socket.closeCalls, 0);
  });

  test("a late close event of the dropped socket does not disturb the new one", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    const calls = record(connection);
    mock.timers.tick(60000);
    untilNewSocket();
    const second = latest();
    second.open();
    socket.onclose?.({ type: "close", code: 1006 });
    socket.drop();
    assert.equal(connection.socket, second);
    assert.deepEqual(names(calls), ["onreconnecting"]);
  });
});

describe("reconnectDelay", () => {
  const lowest = (attempt, code = 1006) => {
    pinRandom(0);
    const delay = reconnectDelay(attempt, code);
    mock.restoreAll();
    return delay;
  };
  const highest = (attempt, code = 1006) => {
    pinRandom(0.999999);
    const delay = reconnectDelay(attempt, code);
    mock.restoreAll();
    return delay;
  };

  test("grows with each attempt, even across the jitter", () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      assert.ok(
        lowest(attempt + 1) > highest(attempt),
        `attempt ${attempt + 1} (${lowest(attempt + 1)} ms) not after attempt ${attempt} (${highest(attempt)} ms)`,
      );
    }
  });

  test("starts quick and is capped", () => {
    assert.ok(highest(0) < 500, `first retry after ${highest(0)} ms`);
    assert.ok(lowest(0) > 0);
    for (const attempt of [4, 5, 10, 100, 10000]) {
      assert.ok(highest(attempt) <= 10000, `attempt ${attempt}: ${highest(attempt)} ms`);
      assert.ok(lowest(attempt) >= 5000, `attempt ${attempt}: ${lowest(attempt)} ms`);
    }
    assert.equal(lowest(1000), lowest(5));
    assert.equal(highest(1000), highest(5));
  });

  test("has jitter", () => {
    assert.ok(highest(2) - lowest(2) >= 500);
    for (let n = 0; n < 50; n += 1) {
      const delay = reconnectDelay(2, 1006);
      assert.ok(delay >= lowest(2) && delay <= highest(2));
    }
  });

  test("after a service restart (1012) the first retry comes within 500 ms", () => {
    assert.ok(lowest(0, CLOSE_SERVICE_RESTART) >= 50, "not all in the same instant");
    assert.ok(highest(0, CLOSE_SERVICE_RESTART) <= 500);
    assert.ok(highest(0, CLOSE_SERVICE_RESTART) - lowest(0, CLOSE_SERVICE_RESTART) >= 200, "spread out");
    // Later attempts back off as usual: the server may take a while to come up.
    assert.equal(lowest(3, CLOSE_SERVICE_RESTART), lowest(3));
    assert.equal(highest(3, CLOSE_SERVICE_RESTART), highest(3));
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
    test(`sends nothing while the socket is ${state}`, () => {
      const { connection, socket } = openConnection({ open: false });
      socket.readyState = FakeWebSocket[state];
      connection.knock("Alex");
      connection.signal("p-2", candidate(1));
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

describe("ice-servers", () => {
  test("the latest servers are kept, a renewal replaces them", () => {
    const { connection, socket } = openConnection();
    socket.receive(welcome());
    assert.equal(connection.iceServers, null, "nothing before entering the call");
    const first = { type: "ice-servers", ice_servers: [{ urls: ["turn:t:3478"], username: "1:p-1", credential: "a" }] };
    const renewed = { type: "ice-servers", ice_servers: [{ urls: ["turn:t:3478"], username: "2:p-1", credential: "b" }] };
    socket.receive(first);
    socket.receive(renewed);
    assert.deepEqual(connection.iceServers, renewed);
  });
});
