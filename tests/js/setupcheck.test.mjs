import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { MIN_VIDEO_KBPS, anyPassed, decide, tooWeakForVideo } from "../../src/visavis/web/static/visavis/js/setup/verdict.js";
import { candidateType, gatherTypes } from "../../src/visavis/web/static/visavis/js/setup/ice.js";
import { levelOf } from "../../src/visavis/web/static/visavis/js/setup/sound.js";

const ALL_PASS = {
  camera: "pass", microphone: "pass", speakers: "pass", host: "pass", srflx: "pass",
  relay_udp: "pass", relay_tcp: "pass", relay_tls: "pass", call: "pass",
};
const GOOD = { bitrateKbps: 900, rttMs: 40, lossPct: 0, jitterMs: 5 };

describe("decide", () => {
  test("everything works: ready, nothing to do", () => {
    assert.deepEqual(decide(ALL_PASS, GOOD, true), { verdict: "ready", advice: [] });
  });

  test("the reflexive address and TLS are not needed when the relay call works", () => {
    const checks = { ...ALL_PASS, srflx: "fail", relay_tls: "skipped" };
    assert.equal(decide(checks, GOOD, true).verdict, "ready");
  });

  test("no camera: audio only recommended", () => {
    assert.deepEqual(decide({ ...ALL_PASS, camera: "fail" }, GOOD, true),
      { verdict: "audio-only", advice: ["camera"] });
  });

  test("a weak call: audio only recommended", () => {
    for (const numbers of [
      { ...GOOD, bitrateKbps: MIN_VIDEO_KBPS - 1 },
      { ...GOOD, lossPct: 12 },
      { ...GOOD, rttMs: 800 },
    ]) {
      assert.deepEqual(decide(ALL_PASS, numbers, true), { verdict: "audio-only", advice: ["slow"] });
    }
  });

  test("the call failing blocks, with what to do", () => {
    const checks = { ...ALL_PASS, relay_udp: "fail", relay_tcp: "fail", relay_tls: "fail", call: "fail" };
    assert.deepEqual(decide(checks, { bitrateKbps: null, rttMs: null, lossPct: null }, true),
      { verdict: "blocked", advice: ["network"] });
  });

  test("a device that reaches the relay is not blocked when only the test call fails", () => {
    // e.g. a TURN server behind NAT that cannot relay to its own addresses
    const checks = { ...ALL_PASS, call: "fail" };
    const none = { bitrateKbps: null, rttMs: null, lossPct: null };
    assert.deepEqual(decide(checks, none, true), { verdict: "ready", advice: ["call-incomplete"] });
  });

  test("no microphone or no sound blocks even when the network is fine", () => {
    assert.deepEqual(decide({ ...ALL_PASS, microphone: "fail", speakers: "fail" }, GOOD, true),
      { verdict: "blocked", advice: ["microphone", "speakers"] });
  });

  test("a skipped speaker question does not block", () => {
    assert.equal(decide({ ...ALL_PASS, speakers: "skipped" }, GOOD, true).verdict, "ready");
  });

  test("UDP blocked but TCP works: ready, with a note", () => {
    const checks = { ...ALL_PASS, relay_udp: "fail" };
    assert.deepEqual(decide(checks, GOOD, true), { verdict: "ready", advice: ["udp-blocked"] });
  });

  test("without a relay server the verdict rests on the direct call and says so", () => {
    const checks = { ...ALL_PASS, srflx: "skipped", relay_udp: "skipped", relay_tcp: "skipped", relay_tls: "skipped" };
    assert.deepEqual(decide(checks, GOOD, false), { verdict: "ready", advice: ["no-relay"] });
    assert.equal(decide({ ...checks, call: "fail" }, GOOD, false).verdict, "blocked");
  });

  test("unknown numbers do not count as weak", () => {
    assert.equal(tooWeakForVideo({ bitrateKbps: null, rttMs: null, lossPct: null }), false);
  });
});

test("anyPassed", () => {
  assert.equal(anyPassed([]), "skipped");
  assert.equal(anyPassed([false, true]), "pass");
  assert.equal(anyPassed([false]), "fail");
});

test("candidateType reads the field or the SDP line", () => {
  assert.equal(candidateType({ type: "relay" }), "relay");
  assert.equal(candidateType({ candidate: "candidate:1 1 udp 2 192.0.2.1 5000 typ srflx raddr 0.0.0.0" }), "srflx");
  assert.equal(candidateType({ candidate: "" }), null);
});

test("levelOf: silence is 0, a loud signal is capped at 1", () => {
  assert.equal(levelOf(new Float32Array(64)), 0);
  assert.equal(levelOf(new Float32Array(64).fill(0.9)), 1);
  const quiet = levelOf(new Float32Array(64).fill(0.01));
  assert.ok(quiet > 0 && quiet < 0.1, String(quiet));
});

describe("gatherTypes", () => {
  const original = globalThis.RTCPeerConnection;
  afterEach(() => { globalThis.RTCPeerConnection = original; });

  /** A peer connection that emits the given candidates, then (unless `hang`) the end. */
  function fake(candidates, { hang = false } = {}) {
    const made = [];
    globalThis.RTCPeerConnection = class extends EventTarget {
      constructor(config) {
        super();
        this.config = config;
        this.iceGatheringState = "new";
        this.closed = false;
        made.push(this);
      }
      createDataChannel() { return {}; }
      async createOffer() { return { type: "offer", sdp: "" }; }
      async setLocalDescription() {
        setTimeout(() => {
          for (const candidate of candidates) {
            this.dispatchEvent(Object.assign(new Event("icecandidate"), { candidate }));
          }
          if (!hang) this.dispatchEvent(Object.assign(new Event("icecandidate"), { candidate: null }));
        }, 1);
      }
      close() { this.closed = true; }
    };
    return made;
  }

  test("collects the types and closes the connection", async () => {
    const made = fake([{ type: "host" }, { candidate: "candidate:1 1 udp 1 192.0.2.1 1 typ relay" }]);
    const config = { iceServers: [], iceTransportPolicy: "relay" };
    const types = await gatherTypes(config);
    assert.deepEqual([...types].sort(), ["host", "relay"]);
    assert.equal(made[0].config, config);
    assert.ok(made[0].closed);
  });

  test("gives up after the timeout when gathering hangs", async () => {
    const made = fake([{ type: "host" }], { hang: true });
    const types = await gatherTypes({}, 30);
    assert.deepEqual([...types], ["host"]);
    assert.ok(made[0].closed);
  });
});
