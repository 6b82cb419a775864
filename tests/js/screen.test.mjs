// screen.js: who may share, the host's permission over the data channel, and the camera
// coming back when sharing stops (also from the browser's own bar: the track's "ended").
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FakeTrack, settle } from "./fake-webrtc.mjs";

const { ScreenShare, readScreenMessage } = await import("../../src/visavis/web/static/visavis/js/screen.js");

const host = { id: "a-host", name: "Dr. Host", role: "host" };
const kim = { id: "b-kim", name: "Kim", role: "guest" };
const sam = { id: "c-sam", name: "Sam", role: "guest" };

function makeShare({ isHost = false } = {}) {
  const shared = [];
  const sent = [];
  const screens = [];
  const share = new ScreenShare({
    isHost: () => isHost,
    shareVideo: async (track) => { shared.push(track); },
    broadcast: (message) => { sent.push(message); return 1; },
    open: async () => {
      const track = new FakeTrack("video", "screen:0:0");
      screens.push(track);
      return track;
    },
  });
  return { share, shared, sent, screens };
}

describe("the host", () => {
  test("may always share; the screen goes out, then the camera again", async () => {
    const { share, shared, sent, screens } = makeShare({ isHost: true });
    assert.equal(share.allowed, true);
    await share.start();
    assert.equal(share.sharing, true);
    assert.deepEqual(shared, [screens[0]]);
    assert.deepEqual(sent, [{ type: "screen", sharing: true }]);
    await share.stop();
    assert.equal(screens[0].stopped, true);
    assert.deepEqual(shared, [screens[0], null]);
    assert.deepEqual(sent.at(-1), { type: "screen", sharing: false });
  });

  test("gets the camera back when the browser ends the shared screen", async () => {
    const { share, shared, screens } = makeShare({ isHost: true });
    await share.start();
    screens[0].end();
    await settle();
    assert.equal(share.sharing, false);
    assert.deepEqual(shared, [screens[0], null]);
  });

  test("allows and forbids the guests' sharing for everyone, and tells newcomers", () => {
    const { share, sent } = makeShare({ isHost: true });
    assert.deepEqual(share.greeting(), [{ type: "screen-permission", allowed: false }]);
    share.setGuestsAllowed(true);
    assert.deepEqual(sent, [{ type: "screen-permission", allowed: true }]);
    assert.deepEqual(share.greeting(), [{ type: "screen-permission", allowed: true }]);
  });

  test("takes no permission from anyone", () => {
    const { share } = makeShare({ isHost: true });
    share.receive(host, { type: "screen-permission", allowed: true });
    assert.equal(share.guestsAllowed, false);
  });
});

describe("a guest", () => {
  test("cannot share until the host allows it", async () => {
    const { share, screens } = makeShare();
    assert.equal(share.allowed, false);
    await share.start();
    assert.equal(share.sharing, false);
    assert.equal(screens.length, 0, "the picker never opened");
    assert.deepEqual(share.greeting(), []);
  });

  test("shares once the host allows it, and stops when the host withdraws it", async () => {
    const { share, shared, screens } = makeShare();
    const said = [];
    share.onpermission = (allowed) => said.push(allowed);
    assert.equal(share.receive(host, { type: "screen-permission", allowed: true }), true);
    assert.equal(share.allowed, true);
    await share.start();
    assert.equal(share.sharing, true);
    share.receive(host, { type: "screen-permission", allowed: false });
    await settle();
    assert.equal(share.sharing, false);
    assert.equal(screens[0].stopped, true);
    assert.deepEqual(shared, [screens[0], null]);
    assert.deepEqual(said, [true, false]);
  });

  test("believes a permission only from the host", async () => {
    const { share } = makeShare();
    share.receive(sam, { type: "screen-permission", allowed: true });
    share.receive({ ...kim, role: "guest" }, { type: "screen-permission", allowed: true });
    assert.equal(share.allowed, false);
    share.receive(host, { type: "screen-permission", allowed: "yes" });
    assert.equal(share.allowed, false);
  });

  test("drops a screen picked after the permission went away", async () => {
    const { share, shared } = makeShare();
    share.receive(host, { type: "screen-permission", allowed: true });
    const starting = share.start();
    share.receive(host, { type: "screen-permission", allowed: false });
    await starting;
    assert.equal(share.sharing, false);
    assert.deepEqual(shared, []);
  });
});

describe("readScreenMessage", () => {
  test("reports another participant's sharing", () => {
    assert.deepEqual(readScreenMessage(kim, { type: "screen", sharing: true }), { sharing: true });
    assert.equal(readScreenMessage(kim, { type: "screen", sharing: 1 }), null);
    assert.equal(readScreenMessage(kim, { type: "chat", text: "x" }), null);
  });
});
