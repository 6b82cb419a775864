// A fake WebSocket for the connection tests (protocol.test.mjs, socket.test.mjs).
import assert from "node:assert/strict";
import { mock } from "node:test";

/** Records what the client sends; the test plays the server with open/receive/drop. */
export class FakeWebSocket {
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

  /** Test side: the connection is gone, with this close code. */
  drop(code = 1006) {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ type: "close", code });
  }

  /** What the client sent, parsed. */
  messages() {
    return this.sent.map((text) => JSON.parse(text));
  }
}

/** Let time pass on the mock clock until the connection opens a new socket. */
export function untilNewSocket(limitMs = 60000) {
  const count = FakeWebSocket.instances.length;
  for (let waited = 0; waited <= limitMs; waited += 10) {
    if (FakeWebSocket.instances.length > count) return waited;
    mock.timers.tick(10);
  }
  assert.fail(`no new socket within ${limitMs} ms`);
}
