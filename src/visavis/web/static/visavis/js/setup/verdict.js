// The setup test's plain verdict from its checks: ready, audio only recommended, or
// blocked (with what to do). Pure: no DOM, no WebRTC, so it runs under node --test.

import { classify } from "../stats.js";

/**
 * @typedef {"pass" | "fail" | "skipped"} Outcome
 * @typedef {"camera" | "microphone" | "speakers" | "host" | "srflx" | "relay_udp" |
 *   "relay_tcp" | "relay_tls" | "call"} CheckName
 * @typedef {Record<CheckName, Outcome>} Checks
 * @typedef {{bitrateKbps: number | null, rttMs: number | null, lossPct: number | null,
 *   jitterMs?: number | null}} CallNumbers
 * @typedef {"ready" | "audio-only" | "blocked"} Verdict
 * @typedef {"microphone" | "speakers" | "network" | "call-incomplete" | "camera" | "slow" |
 *   "udp-blocked" | "no-relay"} Advice
 */

/** @type {CheckName[]} */
export const CHECK_NAMES = [
  "camera", "microphone", "speakers", "host", "srflx", "relay_udp", "relay_tcp", "relay_tls", "call",
];

// Below this, the test call carried too little for video (audio alone needs ~40 kbit/s).
// Kept low on purpose: in its first seconds a call sends less than it could (the
// bandwidth estimate starts low and a calm picture needs little), so a low number alone
// says little; loss and round-trip time weigh more.
export const MIN_VIDEO_KBPS = 100;

/**
 * Whether the measured call is too weak for video: too little bitrate, or poor by the
 * same measure the room's quality badge uses.
 * @param {CallNumbers} numbers
 * @returns {boolean}
 */
export function tooWeakForVideo(numbers) {
  if (numbers.bitrateKbps !== null && numbers.bitrateKbps < MIN_VIDEO_KBPS) return true;
  return classify({
    rttMs: numbers.rttMs, lossPct: numbers.lossPct, jitterMs: numbers.jitterMs ?? null,
    inKbps: null, outKbps: null,
  }) === "poor";
}

/**
 * @param {Checks} checks
 * @param {CallNumbers} numbers of the test call
 * @param {boolean} relayConfigured whether the server has a TURN relay to test
 * @returns {{verdict: Verdict, advice: Advice[]}}
 */
export function decide(checks, numbers, relayConfigured) {
  /** @type {Advice[]} */
  const advice = [];
  let blocked = false;
  let audioOnly = false;
  if (checks.microphone === "fail") {
    blocked = true;
    advice.push("microphone");
  }
  if (checks.speakers === "fail") {
    blocked = true;
    advice.push("speakers");
  }
  // The relay call needs the TURN server to relay to its own addresses, which a server
  // behind NAT without hairpinning cannot do; real calls do not need that. So a device that
  // reaches the relay is not blocked, even when the test call itself did not complete.
  const reachesRelay = relayConfigured
    && [checks.relay_udp, checks.relay_tcp, checks.relay_tls].includes("pass");
  const connected = checks.call === "pass" || reachesRelay;
  if (!connected) {
    blocked = true;
    advice.push("network");
  } else if (checks.call !== "pass") {
    advice.push("call-incomplete");
  }
  if (checks.camera === "fail") {
    audioOnly = true;
    advice.push("camera");
  }
  if (checks.call === "pass" && tooWeakForVideo(numbers)) {
    audioOnly = true;
    advice.push("slow");
  }
  const tcpOnly = checks.relay_udp === "fail"
    && (checks.relay_tcp === "pass" || checks.relay_tls === "pass");
  if (connected && tcpOnly) advice.push("udp-blocked");
  if (!relayConfigured) advice.push("no-relay");
  const verdict = blocked ? "blocked" : audioOnly ? "audio-only" : "ready";
  return { verdict, advice };
}

/**
 * One outcome for several tests of the same kind (e.g. two TURN URLs over UDP): pass if
 * any passed, skipped if none ran.
 * @param {boolean[]} passed
 * @returns {Outcome}
 */
export function anyPassed(passed) {
  if (passed.length === 0) return "skipped";
  return passed.some(Boolean) ? "pass" : "fail";
}
