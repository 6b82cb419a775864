// peer.js: the repair watchdog of one PeerLink and how it tells a direct path from a
// relayed one, on a fake RTCPeerConnection and with mocked timers and clock.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import {
  FakeRTCPeerConnection,
  installFakes,
  settle,
  statsReport,
} from "./fake-webrtc.mjs";

installFakes();

const { PeerLink, selectedPath, voiceProtection } = await import("../../src/visavis/web/static/visavis/js/peer.js");

const START = 1_000_000;
/** @type {PeerLink[]} */
let links = [];

beforeEach(() => {
  FakeRTCPeerConnection.instances = [];
  links = [];
  // The watchdog is a setInterval and reads Date.now(): both run on the mock clock.
  mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: START });
});

afterEach(() => {
  for (const link of links) link.close();
  mock.timers.reset();
});

/** A PeerLink to "b-peer" that records what it sends. */
function makeLink({ polite = false } = {}) {
  const sent = [];
  const link = new PeerLink({
    id: "b-peer",
    polite,
    localStream: null,
    sendSignal: (data) => sent.push(data),
  });
  links.push(link);
  const pc = /** @type {FakeRTCPeerConnection} */ (/** @type {unknown} */ (link.pc));
  return { link, pc, sent };
}

/** Let `ms` pass on the mock clock, firing due timers, then let promises settle. */
async function elapse(ms) {
  mock.timers.tick(ms);
  await settle();
}

/** A link that has made an offer and waits for the answer. */
async function offering() {
  const made = makeLink();
  made.pc.onnegotiationneeded();
  await settle();
  assert.equal(made.pc.signalingState, "have-local-offer");
  assert.deepEqual(made.sent, [{ description: { type: "offer", sdp: "sdp-offer" } }]);
  return made;
}

const offer = { description: { type: "offer", sdp: "sdp-offer" } };

describe("repair: unanswered offers", () => {
  test("re-sends the local offer when no answer came for more than 5 s", async () => {
    const { sent } = await offering();
    await elapse(5000);
    assert.equal(sent.length, 1, "not re-sent within 5 s");
    await elapse(2000);
    assert.deepEqual(sent, [offer, offer], "re-sent once 5 s have passed");
    await elapse(1000);
    assert.equal(sent.length, 2, "not re-sent again right away");
    await elapse(6000);
    assert.deepEqual(sent, [offer, offer, offer], "re-sent again after another 5 s");
  });

  test("stops re-sending once the answer arrives", async () => {
    const { link, pc, sent } = await offering();
    await elapse(7000);
    assert.equal(sent.length, 2);
    await link.handleSignal({ description: { type: "answer", sdp: "sdp-their-answer" } });
    assert.equal(pc.signalingState, "stable");
    await elapse(60000);
    assert.equal(sent.length, 2);
  });

  test("does not re-send an offer that was answered in time", async () => {
    const { link, sent } = await offering();
    await elapse(1000);
    await link.handleSignal({ description: { type: "answer", sdp: "sdp-their-answer" } });
    await elapse(60000);
    assert.equal(sent.length, 1);
  });

  test("never re-sends an answer", async () => {
    const { link, pc, sent } = makeLink({ polite: true });
    await link.handleSignal({ description: { type: "offer", sdp: "sdp-their-offer" } });
    assert.deepEqual(sent, [{ description: { type: "answer", sdp: "sdp-answer" } }]);
    assert.equal(pc.signalingState, "stable");
    await elapse(60000);
    assert.equal(sent.length, 1);
  });

  test("does nothing while there is no local description", async () => {
    const { pc, sent } = makeLink();
    pc.signalingState = "have-local-offer"; // as if setLocalDescription were still pending
    await elapse(20000);
    assert.deepEqual(sent, []);
  });
});

describe("repair: ICE restarts", () => {
  /** The mock-clock times at which restartIce was called, relative to START. */
  function restarts(pc) {
    return pc.callsOf("restartIce").map(([, at]) => at - START);
  }

  for (const state of ["disconnected", "failed"]) {
    test(`restarts ICE once the connection has been ${state} for more than 2.5 s`, async () => {
      const { pc } = makeLink();
      pc.setConnectionState(state);
      await elapse(2500);
      assert.deepEqual(restarts(pc), [], "no restart within 2.5 s");
      await elapse(1500);
      assert.equal(restarts(pc).length, 1, "a restart by 4 s");
      assert.ok(restarts(pc)[0] > 2500);
    });
  }

  test("restarts at most every 6 s while the connection stays broken", async () => {
    const { pc } = makeLink();
    pc.setConnectionState("disconnected");
    await elapse(2000);
    pc.setConnectionState("failed"); // still the same outage: the clock keeps running
    for (let second = 0; second < 40; second += 1) await elapse(1000);
    const times = restarts(pc);
    assert.ok(times[0] <= 4000, `first restart at ${times[0]} ms, counted from the first break`);
    assert.ok(times.length >= 5, `only ${times.length} restarts in 42 s: ${times}`);
    for (let i = 1; i < times.length; i += 1) {
      assert.ok(times[i] - times[i - 1] >= 6000, `restarts too close together: ${times}`);
    }
  });

  test("does not restart while an offer is under way", async () => {
    const { pc, sent } = await offering();
    pc.setConnectionState("failed");
    await elapse(20000);
    assert.deepEqual(restarts(pc), []);
    assert.ok(sent.length > 1, "the offer itself is re-sent instead");
  });

  test("does not restart once the connection is back", async () => {
    const { pc } = makeLink();
    pc.setConnectionState("disconnected");
    await elapse(2000);
    pc.setConnectionState("connected");
    await elapse(30000);
    assert.deepEqual(restarts(pc), []);
  });

  test("a new outage waits its own 2.5 s", async () => {
    const { pc } = makeLink();
    pc.setConnectionState("failed");
    await elapse(4000);
    assert.equal(restarts(pc).length, 1);
    pc.setConnectionState("connected");
    await elapse(20000);
    pc.setConnectionState("disconnected");
    await elapse(2000);
    assert.equal(restarts(pc).length, 1);
    await elapse(2000);
    assert.equal(restarts(pc).length, 2);
  });

  test("never restarts a healthy or new connection", async () => {
    const { pc } = makeLink();
    await elapse(10000);
    pc.setConnectionState("connecting");
    await elapse(10000);
    pc.setConnectionState("connected");
    await elapse(10000);
    assert.deepEqual(restarts(pc), []);
  });
});

describe("close", () => {
  test("closes the connection and stops the watchdog", async () => {
    const { link, pc, sent } = await offering();
    pc.setConnectionState("failed");
    link.close();
    assert.equal(pc.closed, true);
    await elapse(60000);
    assert.equal(sent.length, 1, "no offer re-sent after close");
    assert.deepEqual(pc.callsOf("restartIce"), [], "no ICE restart after close");
  });
});

/** A connected pair of candidates `local` → `remote` of the given types. */
function pairReports({ pairId = "CP1", local = "host", remote = "host", nominated = true, state = "succeeded" } = {}) {
  return [
    {
      id: pairId,
      type: "candidate-pair",
      localCandidateId: `${pairId}-L`,
      remoteCandidateId: `${pairId}-R`,
      nominated,
      state,
    },
    { id: `${pairId}-L`, type: "local-candidate", candidateType: local },
    { id: `${pairId}-R`, type: "remote-candidate", candidateType: remote },
  ];
}

/** A fake pc whose getStats resolves to these reports. */
function withStats(reports) {
  const pc = new FakeRTCPeerConnection({});
  pc.stats = statsReport(reports);
  return /** @type {RTCPeerConnection} */ (/** @type {unknown} */ (pc));
}

describe("selectedPath", () => {
  const selected = (pairId) => ({ id: "T1", type: "transport", selectedCandidatePairId: pairId });

  const cases = [
    ["host", "host", "direct"],
    ["srflx", "host", "direct"],
    ["prflx", "srflx", "direct"],
    ["relay", "host", "relay"],
    ["host", "relay", "relay"],
    ["relay", "relay", "relay"],
  ];
  for (const [local, remote, expected] of cases) {
    test(`the transport's selected pair ${local} → ${remote} is ${expected}`, async () => {
      const reports = [selected("CP1"), ...pairReports({ local, remote, nominated: false })];
      assert.equal(await selectedPath(withStats(reports)), expected);
    });
  }

  test("the transport's selected pair wins over another nominated pair", async () => {
    const reports = [
      ...pairReports({ pairId: "CP-relay", local: "relay" }),
      selected("CP-host"),
      ...pairReports({ pairId: "CP-host", local: "host", nominated: false }),
    ];
    assert.equal(await selectedPath(withStats(reports)), "direct");
  });

  test("without a selected pair id, uses the nominated pair that succeeded", async () => {
    const reports = [
      { id: "T1", type: "transport" },
      ...pairReports({ pairId: "CP-a", local: "host", nominated: false }),
      ...pairReports({ pairId: "CP-b", local: "host", nominated: true, state: "in-progress" }),
      ...pairReports({ pairId: "CP-c", local: "relay", nominated: true }),
    ];
    assert.equal(await selectedPath(withStats(reports)), "relay");
  });

  test("without a transport report, uses the nominated pair that succeeded", async () => {
    assert.equal(await selectedPath(withStats(pairReports({ remote: "relay" }))), "relay");
    assert.equal(await selectedPath(withStats(pairReports({ remote: "srflx" }))), "direct");
  });

  test("Firefox: no transport report; the pair marked selected wins over another nominated one", async () => {
    const reports = [
      ...pairReports({ pairId: "CP-relay", local: "relay" }),
      ...pairReports({ pairId: "CP-host", local: "host", nominated: true }).map(
        (r) => (r.type === "candidate-pair" ? { ...r, selected: true } : r),
      ),
    ];
    assert.equal(await selectedPath(withStats(reports)), "direct");
  });

  test("a selected pair id that is not in the report falls back to the nominated pair", async () => {
    const reports = [selected("CP-gone"), ...pairReports({ local: "relay" })];
    assert.equal(await selectedPath(withStats(reports)), "relay");
  });

  test("is null when no pair is selected or nominated and succeeded", async () => {
    assert.equal(await selectedPath(withStats([])), null);
    assert.equal(await selectedPath(withStats([{ id: "T1", type: "transport" }])), null);
    const unfinished = [
      ...pairReports({ pairId: "CP-a", nominated: false }),
      ...pairReports({ pairId: "CP-b", nominated: true, state: "failed" }),
    ];
    assert.equal(await selectedPath(withStats(unfinished)), null);
  });
});

describe("onpath", () => {
  test("reports the path once the connection is connected", async () => {
    const { link, pc } = makeLink();
    const paths = [];
    link.onpath = (path) => paths.push(path);
    pc.stats = statsReport(pairReports({ local: "relay" }));
    pc.setConnectionState("connecting");
    await settle();
    assert.deepEqual(paths, []);
    pc.setConnectionState("connected");
    await settle();
    assert.deepEqual(paths, ["relay"]);
    pc.stats = statsReport(pairReports({ local: "host" }));
    pc.setConnectionState("disconnected");
    pc.setConnectionState("connected");
    await settle();
    assert.deepEqual(paths, ["relay", "direct"]);
  });

  test("reports nothing while the path is unknown", async () => {
    const { link, pc } = makeLink();
    const paths = [];
    link.onpath = (path) => paths.push(path);
    pc.setConnectionState("connected");
    await settle();
    assert.deepEqual(paths, []);
  });
});

describe("preferVoice", () => {
  test("sends audio with high priority and RED first, and leaves video alone", async () => {
    const { preferVoice } = await import("../../src/visavis/web/static/visavis/js/peer.js");
    const opus = { mimeType: "audio/opus", clockRate: 48000 };
    const red = { mimeType: "audio/red", clockRate: 48000 };
    globalThis.RTCRtpReceiver = { getCapabilities: () => ({ codecs: [opus, red] }) };
    try {
      const pc = new FakeRTCPeerConnection({});
      const audio = pc.addTrack({ kind: "audio" }, null);
      const video = pc.addTrack({ kind: "video" }, null);
      preferVoice(pc);
      await Promise.resolve();
      assert.deepEqual(audio.parameters.encodings, [{ priority: "high", networkPriority: "high" }]);
      assert.deepEqual(pc.transceivers[0].codecPreferences, [red, opus]);
      assert.deepEqual(video.parameters.encodings, [{}]);
      assert.equal(pc.transceivers[1].codecPreferences, null);
    } finally {
      delete globalThis.RTCRtpReceiver;
    }
  });
});

describe("automatic mode on a thin link (sound first)", () => {
  /** A connected link with a video sender, whose stats give the link estimate `bps`. */
  function connectedWithVideo() {
    const { link, pc } = makeLink();
    const video = pc.addTrack({ kind: "video" }, null);
    pc.setConnectionState("connected");
    const estimate = (/** @type {number | undefined} */ bps) => {
      const pair = pairReports()[0];
      pc.stats = statsReport([
        { id: "T1", type: "transport", selectedCandidatePairId: pair.id },
        { ...pair, availableOutgoingBitrate: bps },
      ]);
    };
    return { link, video, estimate };
  }

  test("keeps the video 60 kbit/s under an estimate below 600 kbit/s, and lifts it above", async () => {
    const { link, video, estimate } = connectedWithVideo();
    estimate(300_000);
    await link.measure();
    await settle();
    assert.equal(video.parameters.encodings[0].maxBitrate, 240_000);
    estimate(310_000); // within a tenth: left as it is
    await link.measure();
    await settle();
    assert.equal(video.parameters.encodings[0].maxBitrate, 240_000);
    estimate(100_000);
    await link.measure();
    await settle();
    assert.equal(video.parameters.encodings[0].maxBitrate, 50_000); // never below 50 kbit/s
    estimate(2_000_000);
    await link.measure();
    await settle();
    assert.equal("maxBitrate" in video.parameters.encodings[0], false);
    assert.equal(video.parameters.encodings[0].active, true);
  });

  test("no estimate, no cap; a chosen mode is left alone", async () => {
    const { link, video, estimate } = connectedWithVideo();
    estimate(undefined);
    await link.measure();
    await settle();
    assert.equal("maxBitrate" in video.parameters.encodings[0], false);
    await link.setMode("standard");
    estimate(300_000);
    await link.measure();
    await settle();
    assert.equal(video.parameters.encodings[0].maxBitrate, 800_000);
    await link.setMode("auto");
    await link.measure();
    await settle();
    assert.equal(video.parameters.encodings[0].maxBitrate, 240_000);
  });
});

describe("voiceProtection", () => {
  const answer = (...lines) => ["v=0", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=rtpmap:96 VP8/90000", ...lines, ""].join("\r\n");
  test("both browsers have RED (Chromium): sent twice", () => {
    const sdp = answer("m=audio 9 UDP/TLS/RTP/SAVPF 63 111", "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111",
      "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1");
    assert.equal(voiceProtection(sdp), "red");
  });
  test("an answer without RED (Firefox): Opus with its error correction", () => {
    const sdp = answer("m=audio 9 UDP/TLS/RTP/SAVPF 109 9", "a=rtpmap:109 opus/48000/2",
      "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1", "a=rtpmap:9 G722/8000/1");
    assert.equal(voiceProtection(sdp), "fec");
  });
  test("Opus without error correction, no audio, or no answer yet: nothing claimed", () => {
    assert.equal(voiceProtection(answer("m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=rtpmap:111 opus/48000/2")), null);
    assert.equal(voiceProtection(answer()), null);
    assert.equal(voiceProtection(undefined), null);
  });
});
