// mediastate.js: a participant's microphone and camera, as told to the others.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { badgesFor, mediaStateMessage, mediaStateOf, readMediaState } from "../../src/visavis/web/static/visavis/js/mediastate.js";

const track = (kind, enabled = true, readyState = "live") => ({ kind, enabled, readyState });
const stream = (...tracks) => ({ getTracks: () => tracks });

describe("media state", () => {
  test("on, off (muted) and none (no device or blocked)", () => {
    assert.deepEqual(mediaStateOf(stream(track("audio"), track("video"))), { mic: "on", camera: "on" });
    assert.deepEqual(mediaStateOf(stream(track("audio", false), track("video", false))), { mic: "off", camera: "off" });
    assert.deepEqual(mediaStateOf(stream(track("audio"))), { mic: "on", camera: "none" });
    assert.deepEqual(mediaStateOf(null), { mic: "none", camera: "none" });
    assert.deepEqual(mediaStateOf(stream(track("video", true, "ended"))).camera, "none");
  });

  test("travels as a message and is read back strictly", () => {
    const message = mediaStateMessage(stream(track("audio", false)));
    assert.deepEqual(message, { type: "media-state", mic: "off", camera: "none" });
    assert.deepEqual(readMediaState(message), { mic: "off", camera: "none" });
    assert.equal(readMediaState({ type: "chat", text: "hi" }), null);
    assert.equal(readMediaState({ type: "media-state", mic: "loud", camera: "on" }), null);
    assert.equal(readMediaState({ type: "media-state", mic: "on" }), null);
  });

  test("badges for the counselor's tile", () => {
    assert.deepEqual(badgesFor({ mic: "on", camera: "on" }), []);
    assert.deepEqual(badgesFor({ mic: "off", camera: "off" }), ["muted", "camera-off"]);
    assert.deepEqual(badgesFor({ mic: "none", camera: "none" }), ["no-mic", "no-camera"]);
  });
});
