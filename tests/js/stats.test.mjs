import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { classify, summarize, suggestAudioOnly } from "../../src/visavis/web/static/visavis/js/stats.js";
import { videoEncoding } from "../../src/visavis/web/static/visavis/js/quality.js";

const pair = { id: "P", type: "candidate-pair", nominated: true, state: "succeeded", currentRoundTripTime: 0.12 };
const snapshot = (received, lost, bytesIn, bytesOut, jitter = 0.01) => [
  { id: "T", type: "transport", selectedCandidatePairId: "P" },
  pair,
  { id: "A", type: "inbound-rtp", kind: "audio", packetsReceived: received, packetsLost: lost, bytesReceived: bytesIn, jitter },
  { id: "O", type: "outbound-rtp", kind: "audio", bytesSent: bytesOut },
];

describe("summarize", () => {
  test("delay, loss, jitter and bit rates between two snapshots", () => {
    const quality = summarize(snapshot(100, 0, 10000, 5000), snapshot(290, 10, 60000, 30000, 0.02), 2);
    assert.deepEqual(quality, { stalled: false, rttMs: 120, lossPct: 5, jitterMs: 20, inKbps: 200, outKbps: 100 });
  });

  test("a picture that stopped is stalled, whatever else still arrives", () => {
    const video = (frames, packets) => ({ id: "V", type: "inbound-rtp", kind: "video", framesDecoded: frames, packetsReceived: packets, packetsLost: 0, bytesReceived: packets * 1000 });
    const withVideo = (frames, packets, audio) => [...snapshot(audio, 0, 0, 0), video(frames, packets)];
    assert.equal(summarize(withVideo(40, 100, 100), withVideo(80, 200, 200), 2).stalled, false);
    // Audio goes on, the picture froze (no frame decoded between the snapshots).
    const frozen = summarize(withVideo(80, 200, 200), withVideo(80, 200, 300), 2);
    assert.equal(frozen.stalled, true);
    assert.equal(classify(frozen), "stalled");
    // Nothing arrives at all (the other side is gone): never "good".
    const gone = summarize(snapshot(5, 0, 0, 0), snapshot(5, 0, 0, 0), 2);
    assert.equal(classify(gone), "stalled");
  });

  test("nothing received: no loss figure rather than a made-up one", () => {
    assert.equal(summarize(snapshot(5, 0, 0, 0), snapshot(5, 0, 0, 0), 2).lossPct, null);
  });
});

describe("classify", () => {
  test("good, fair and poor by the worst figure", () => {
    assert.equal(classify({ rttMs: 40, lossPct: 0, jitterMs: 5, inKbps: 0, outKbps: 0 }), "good");
    assert.equal(classify({ rttMs: 300, lossPct: 0, jitterMs: 5, inKbps: 0, outKbps: 0 }), "fair");
    assert.equal(classify({ rttMs: 40, lossPct: 3, jitterMs: 5, inKbps: 0, outKbps: 0 }), "fair");
    assert.equal(classify({ rttMs: 40, lossPct: 0, jitterMs: 80, inKbps: 0, outKbps: 0 }), "poor");
    assert.equal(classify({ rttMs: 600, lossPct: 0, jitterMs: 5, inKbps: 0, outKbps: 0 }), "poor");
    assert.equal(classify({ rttMs: null, lossPct: null, jitterMs: null, inKbps: null, outKbps: null }), "good");
  });
});

describe("suggestAudioOnly", () => {
  test("only after the connection stayed poor", () => {
    assert.equal(suggestAudioOnly(["poor", "poor", "poor"]), false);
    assert.equal(suggestAudioOnly(["good", "poor", "poor", "poor", "poor"]), true);
    assert.equal(suggestAudioOnly(["poor", "poor", "fair", "poor", "poor"]), false);
  });
});

describe("videoEncoding", () => {
  test("modes map to sender parameters", () => {
    assert.deepEqual(videoEncoding("audio"), { active: false });
    assert.deepEqual(videoEncoding("auto"), { active: true });
    assert.deepEqual(videoEncoding("low"), { active: true, maxBitrate: 250000, scaleResolutionDownBy: 2.5, maxFramerate: 15 });
  });
});
