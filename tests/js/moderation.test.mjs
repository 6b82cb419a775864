// The counselor's side (issue 5): moderation messages the client sends, the watch
// connection's bookkeeping of who is new, and the session timer's arithmetic.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { RoomConnection, WatchConnection } from "../../src/visavis/web/static/visavis/js/protocol.js";
import { clock, timerState } from "../../src/visavis/web/static/visavis/js/ui/timer.js";

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
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.({}); }
  receive(message) { this.onmessage?.({ data: JSON.stringify(message) }); }
}

let saved;
beforeEach(() => {
  saved = globalThis.WebSocket;
  globalThis.WebSocket = FakeWebSocket;
  FakeWebSocket.instances = [];
});
afterEach(() => {
  globalThis.WebSocket = saved;
});

describe("moderation messages", () => {
  test("each action sends exactly the documented message", () => {
    const connection = new RoomConnection("ws://x/ws/room", "room");
    connection.connect();
    const socket = FakeWebSocket.instances[0];
    socket.open();
    socket.sent = [];
    connection.deny("g1");
    connection.deny("g1", "  Wrong link.  ");
    connection.deny("g1", "   ");
    connection.sendBack("g2");
    connection.remove("g3");
    connection.setLocked(true);
    connection.setLocked(false);
    connection.note(" Five minutes late ");
    connection.note("");
    connection.end();
    clearInterval(connection.pinger);
    assert.deepEqual(socket.sent, [
      { type: "deny", id: "g1" },
      { type: "deny", id: "g1", message: "Wrong link." },
      { type: "deny", id: "g1" },
      { type: "send-back", id: "g2" },
      { type: "remove", id: "g3" },
      { type: "lock" },
      { type: "unlock" },
      { type: "note", text: "Five minutes late" },
      { type: "note", text: "" },
      { type: "end" },
    ]);
  });

  test("removed and ended are final: no reconnect", () => {
    for (const type of ["removed", "ended"]) {
      const connection = new RoomConnection("ws://x/ws/room", "room");
      connection.connect();
      FakeWebSocket.instances.at(-1).receive({ type });
      assert.equal(connection.closedByUs, true, type);
    }
  });
});

describe("watch connection", () => {
  const room = (appointment, ...ids) => ({
    appointment, title: `T ${appointment}`, url: `/appointments/${appointment}/room`,
    waiting: ids.map((id) => ({ id, name: `N ${id}` })),
  });

  test("the first snapshot alerts nobody; a new knock does, a known guest does not", () => {
    const watch = new WatchConnection("ws://x/ws/watch");
    const seen = [];
    watch.onchange = (rooms, arrivals) => seen.push([rooms.map((r) => r.appointment), arrivals.map((r) => r.appointment)]);
    watch.dispatch(JSON.stringify({ type: "watching", rooms: [room("a", "1")] }));
    watch.dispatch(JSON.stringify({ type: "waiting-changed", room: room("b", "2") }));
    watch.dispatch(JSON.stringify({ type: "waiting-changed", room: room("a", "1", "3") }));
    watch.dispatch(JSON.stringify({ type: "waiting-changed", room: room("a", "3") }));
    watch.dispatch(JSON.stringify({ type: "waiting-changed", room: room("b") }));
    // After a reconnect: a fresh snapshot, in which only unseen guests count as new.
    watch.dispatch(JSON.stringify({ type: "watching", rooms: [room("a", "3"), room("c", "4")] }));
    watch.dispatch("not json");
    watch.dispatch(JSON.stringify({ type: "pong" }));
    assert.deepEqual(seen, [
      [["a"], []],
      [["a", "b"], ["b"]],
      [["a", "b"], ["a"]],
      [["a", "b"], []],
      [["a"], []],
      [["a", "c"], ["c"]],
    ]);
  });
});

describe("session timer", () => {
  const ends = Date.parse("2026-11-22T15:50:00Z");

  test("clock", () => {
    assert.equal(clock(0), "0:00");
    assert.equal(clock(65.9), "1:05");
    assert.equal(clock(3725), "1:02:05");
    assert.equal(clock(-3), "0:00");
  });

  test("before the call, while it runs, near the end and past it", () => {
    const status = { ends_at: "2026-11-22T15:50:00Z" };
    assert.equal(timerState(status, 5, ends - 600000).cue, "");
    assert.match(timerState(status, 5, ends - 600000).elapsed, /not started/);
    const started = { ...status, started_at: "2026-11-22T15:00:00Z" };
    const near = timerState(started, 5, ends - 240000);
    assert.equal(near.cue, "ending");
    assert.equal(near.elapsed, "In the call for 46:00");
    assert.equal(near.remaining, "4:00 until the scheduled end");
    const over = timerState(started, 5, ends + 90000);
    assert.equal(over.cue, "over");
    assert.equal(over.remaining, "1:30 past the scheduled end");
    assert.equal(timerState(started, 0, ends - 60000).cue, "", "0 minutes: no cue");
  });
});
