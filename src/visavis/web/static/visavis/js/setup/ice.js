// The connection part of the setup test: which ICE candidate types this browser can
// gather (host, server-reflexive, relay per TURN URL), and a short call from the page to
// itself through the relay, measured with getStats. No DOM here.

import { pathFrom } from "../peer.js";
import { reportsOf, summarize } from "../stats.js";

/** @typedef {import("./verdict.js").CallNumbers} CallNumbers */

/**
 * The type of a gathered candidate: the `type` field, or read from the SDP line.
 * @param {{type?: string | null, candidate?: string}} candidate
 * @returns {string | null}
 */
export function candidateType(candidate) {
  if (candidate.type) return candidate.type;
  const match = / typ (\w+)/.exec(candidate.candidate || "");
  return match ? match[1] : null;
}

/**
 * Gather candidates with `config` and report the types seen.
 * @param {RTCConfiguration} config
 * @param {number} [timeoutMs] gathering may hang on a blocked server: give up after this
 * @returns {Promise<Set<string>>}
 */
export async function gatherTypes(config, timeoutMs = 6000) {
  /** @type {Set<string>} */
  const types = new Set();
  const pc = new RTCPeerConnection(config);
  try {
    pc.createDataChannel("setup-test");
    const done = new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pc.addEventListener("icecandidate", (event) => {
        if (event.candidate) {
          const type = candidateType(event.candidate);
          if (type) types.add(type);
        } else {
          clearTimeout(timer);
          resolve(undefined);
        }
      });
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve(undefined);
        }
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
  } finally {
    pc.close();
  }
  return types;
}

/**
 * @param {RTCPeerConnection} pc
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} whether it connected in time
 */
function connected(pc, timeoutMs) {
  return new Promise((resolve) => {
    const check = () => {
      if (pc.connectionState === "connected") finish(true);
      else if (pc.connectionState === "failed" || pc.connectionState === "closed") finish(false);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    /** @param {boolean} value */
    const finish = (value) => {
      clearTimeout(timer);
      pc.removeEventListener("connectionstatechange", check);
      resolve(value);
    };
    pc.addEventListener("connectionstatechange", check);
    check();
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @typedef {{ok: boolean, path: "direct" | "relay" | null, numbers: CallNumbers}} CallResult
 */

/**
 * A short call from one peer connection of this page to another, sending `stream`, and
 * what the receiving end measured: bitrate, round-trip time and loss.
 * @param {RTCConfiguration} config for both ends (relay only, to test the TURN server)
 * @param {MediaStream} stream
 * @param {{connectTimeoutMs?: number, warmUpMs?: number, measureMs?: number}} [options]
 * @returns {Promise<CallResult>}
 */
export async function loopbackCall(config, stream, options = {}) {
  const { connectTimeoutMs = 10000, warmUpMs = 1500, measureMs = 5000 } = options;
  const sender = new RTCPeerConnection(config);
  const receiver = new RTCPeerConnection(config);
  /** @type {CallNumbers} */
  const none = { bitrateKbps: null, rttMs: null, lossPct: null, jitterMs: null };
  try {
    /** @type {(value?: unknown) => void} */
    let receiverReady = () => {};
    /** @type {(value?: unknown) => void} */
    let senderReady = () => {};
    const receiverHasOffer = new Promise((resolve) => { receiverReady = resolve; });
    const senderHasAnswer = new Promise((resolve) => { senderReady = resolve; });
    // Candidates wait until the other end has the description they belong to.
    sender.addEventListener("icecandidate", (event) => {
      if (event.candidate) {
        const candidate = event.candidate;
        receiverHasOffer.then(() => receiver.addIceCandidate(candidate)).catch(() => {});
      }
    });
    receiver.addEventListener("icecandidate", (event) => {
      if (event.candidate) {
        const candidate = event.candidate;
        senderHasAnswer.then(() => sender.addIceCandidate(candidate)).catch(() => {});
      }
    });
    for (const track of stream.getTracks()) sender.addTrack(track, stream);
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(/** @type {RTCSessionDescription} */ (sender.localDescription));
    receiverReady();
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(/** @type {RTCSessionDescription} */ (receiver.localDescription));
    senderReady();
    if (!(await connected(receiver, connectTimeoutMs))) return { ok: false, path: null, numbers: none };
    // The first second carries mostly the start of the bandwidth estimate: not measured.
    await sleep(warmUpMs);
    const first = await receiver.getStats();
    const started = performance.now();
    await sleep(measureMs);
    const last = await receiver.getStats();
    const seconds = (performance.now() - started) / 1000;
    const quality = summarize(reportsOf(first), reportsOf(last), seconds);
    const received = reportsOf(last)
      .filter((r) => r.type === "inbound-rtp")
      .reduce((sum, r) => sum + (r.bytesReceived || 0), 0);
    return {
      ok: received > 0,
      path: pathFrom(last),
      numbers: {
        bitrateKbps: quality.inKbps,
        rttMs: quality.rttMs,
        lossPct: quality.lossPct,
        jitterMs: quality.jitterMs,
      },
    };
  } finally {
    sender.close();
    receiver.close();
  }
}
