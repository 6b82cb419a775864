// playback.js: sound the browser refuses before a touch plays muted, and one tap turns it on.
import assert from "node:assert/strict";
import { test } from "node:test";

import { resumeSound, startPlayback } from "../../src/visavis/web/static/visavis/js/playback.js";

/** A media element whose play() refuses sound (not silence) until `gesture` is set. */
function fakeVideo({ refuse = "NotAllowedError" } = {}) {
  const video = {
    muted: false,
    gesture: false,
    plays: 0,
    async play() {
      if (refuse && !video.muted && !video.gesture) {
        const error = new Error("play() refused");
        error.name = refuse;
        throw error;
      }
      video.plays += 1;
    },
  };
  return video;
}

test("a video the browser lets play keeps its sound and asks for nothing", async () => {
  const video = fakeVideo({ refuse: "" });
  let asked = 0;
  assert.equal(await startPlayback(video, () => { asked += 1; }), "playing");
  assert.equal(video.muted, false);
  assert.equal(asked, 0);
});

test("sound refused without a gesture: the picture plays muted and the button is asked for", async () => {
  const video = fakeVideo();
  let asked = 0;
  assert.equal(await startPlayback(video, () => { asked += 1; }), "muted");
  assert.equal(video.muted, true);
  assert.equal(video.plays, 1);
  assert.equal(asked, 1);
});

test("other failures (e.g. the stream was replaced) neither mute nor ask", async () => {
  const video = fakeVideo({ refuse: "AbortError" });
  let asked = 0;
  assert.equal(await startPlayback(video, () => { asked += 1; }), "failed");
  assert.equal(video.muted, false);
  assert.equal(asked, 0);
});

test("the button's tap turns the sound of every video on", async () => {
  const videos = [fakeVideo(), fakeVideo()];
  for (const video of videos) await startPlayback(video, () => {});
  for (const video of videos) video.gesture = true;
  assert.equal(await resumeSound(videos), true);
  assert.deepEqual(videos.map((v) => v.muted), [false, false]);
});

test("a tap that still does not play reports it, so the button stays", async () => {
  const video = fakeVideo();
  await startPlayback(video, () => {});
  assert.equal(await resumeSound([video]), false);
});
