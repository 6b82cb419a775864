// socket.js: the WebSocket that stays up, shared by the room's and the watch connection;
// driven through a fake WebSocket with mocked timers and clock.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import { WatchConnection } from "../../src/visavis/web/static/visavis/js/protocol.js";
import {
  PING_INTERVAL_MS,
  ReconnectingSocket,
  SILENCE_LIMIT_MS,
  parseFrame,
} from "../../src/visavis/web/static/visavis/js/socket.js";
import { FakeWebSocket, untilNewSocket } from "./fake-websocket.mjs";

/** A ReconnectingSocket that records its hooks. */
class Recorder extends ReconnectingSocket {
  constructor() {
    super("wss://example.test/ws/x/");
    /** @type {string[]} */
    this.calls = [];
  }
  opened() { this.calls.push("opened"); }
  /** @param {string} text */
  dispatch(text) { this.calls.push(`dispatch ${text}`); }
  lost() { this.calls.push("lost"); }
  closed() { this.calls.push("closed"); }
}

const savedWebSocket = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
/** @type {ReconnectingSocket[]} */
let opened = [];

beforeEach(() => {
  FakeWebSocket.instances = [];
  opened = [];
  Object.defineProperty(globalThis, "WebSocket", { value: FakeWebSocket, configurable: true, writable: true });
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
});

afterEach(() => {
  for (const connection of opened) connection.close();
  mock.timers.reset();
  if (savedWebSocket) Object.defineProperty(globalThis, "WebSocket", savedWebSocket);
  else delete globalThis.WebSocket;
});

/** @template {ReconnectingSocket} T @param {T} connection @returns {T} */
function started(connection) {
  opened.push(connection);
  connection.connect();
  FakeWebSocket.instances.at(-1).open();
  return connection;
}

describe("ReconnectingSocket", () => {
  test("pings every 15 s while open and passes the server's frames on", () => {
    const connection = started(new Recorder());
    const socket = FakeWebSocket.instances[0];
    assert.equal(PING_INTERVAL_MS, 15000);
    mock.timers.tick(PING_INTERVAL_MS);
    socket.receive({ type: "pong" });
    mock.timers.tick(PING_INTERVAL_MS);
    assert.deepEqual(socket.messages(), [{ type: "ping" }, { type: "ping" }]);
    assert.deepEqual(connection.calls, ["opened", 'dispatch {"type":"pong"}']);
  });

  test("gives up on a silent socket and reconnects, waiting longer each time", () => {
    const connection = started(new Recorder());
    mock.timers.tick(SILENCE_LIMIT_MS + PING_INTERVAL_MS);
    assert.equal(FakeWebSocket.instances[0].closeCalls, 1, "the silent socket is closed");
    assert.equal(connection.socket, null);
    assert.deepEqual(connection.calls, ["opened", "lost"]);
    const waits = [];
    for (let drop = 0; drop < 3; drop += 1) {
      waits.push(untilNewSocket());
      FakeWebSocket.instances.at(-1).drop(1006);
    }
    assert.ok(waits[0] < waits[1] && waits[1] < waits[2], `backoff ${waits}`);
    assert.deepEqual(connection.calls, ["opened", "lost", "lost", "lost", "lost"]);
  });

  test("close is for good: closed(), no reconnect, and the late close event is ignored", () => {
    const connection = started(new Recorder());
    const socket = FakeWebSocket.instances[0];
    assert.equal(connection.send({ type: "x" }), true);
    connection.close();
    assert.equal(socket.closeCalls, 1);
    socket.drop(1000);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.deepEqual(connection.calls, ["opened", "closed"]);
    assert.equal(connection.send({ type: "x" }), false, "nothing goes out once closed");
  });
});

describe("parseFrame", () => {
  test("passes JSON objects and turns anything else into null", () => {
    assert.deepEqual(parseFrame('{"type":"pong"}'), { type: "pong" });
    for (const text of ["", "{not json", "null", "42", '"pong"']) assert.equal(parseFrame(text), null, text);
  });
});

describe("WatchConnection on the shared socket", () => {
  test("reconnects after a drop and stops for good once logged out", () => {
    const watch = started(new WatchConnection("wss://example.test/ws/watch"));
    FakeWebSocket.instances[0].drop(1006);
    untilNewSocket();
    FakeWebSocket.instances[1].open();
    assert.equal(watch.attempts, 0, "an open socket starts the backoff over");
    FakeWebSocket.instances[1].receive({ type: "logged-out" });
    FakeWebSocket.instances[1].drop(1000);
    mock.timers.tick(60000);
    assert.equal(FakeWebSocket.instances.length, 2);
  });

  test("gives up on a silent socket after 40 s and reconnects, as the room connection does", () => {
    started(new WatchConnection("wss://example.test/ws/watch"));
    mock.timers.tick(SILENCE_LIMIT_MS);
    assert.equal(FakeWebSocket.instances[0].closeCalls, 0, "not within 40 s");
    mock.timers.tick(PING_INTERVAL_MS);
    assert.equal(FakeWebSocket.instances[0].closeCalls, 1);
    untilNewSocket();
    assert.equal(FakeWebSocket.instances.length, 2);
  });
});
