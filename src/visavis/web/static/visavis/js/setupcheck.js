// The client's "test your setup" page: camera, microphone, speakers and connection
// (candidate types and a short call through the TURN relay to itself), then a plain
// verdict, whose pass/fail per check is stored on the appointment for the counselor.

import { format, gettext } from "./i18n.js";
import { MediaProblem, describeProblem, openLocalMedia, stopAll } from "./media.js";
import { gatherTypes, loopbackCall } from "./setup/ice.js";
import { callTracks, followLevel, playTone } from "./setup/sound.js";
import { CHECK_NAMES, anyPassed, decide } from "./setup/verdict.js";
import { byId } from "./ui/sections.js";

/** @typedef {import("./setup/verdict.js").Checks} Checks */
/** @typedef {import("./setup/verdict.js").CheckName} CheckName */
/** @typedef {import("./setup/verdict.js").Outcome} Outcome */
/** @typedef {import("./setup/verdict.js").CallNumbers} CallNumbers */
/** @typedef {{kind: "udp" | "tcp" | "tls", urls: string[], username: string, credential: string}} Relay */
/** @typedef {{stun: string[], turn: Relay[], icePolicy: string}} IceConfig */

// The microphone counts as working once its level passes this (the meter's "low" mark).
const HEARD_LEVEL = 0.05;
// How long to listen for the microphone before saying it stayed silent.
const LISTEN_MS = 15000;

/** @returns {{iceUrl: string, resultUrl: string}} */
function readConfig() {
  return JSON.parse(byId("setup-config").textContent || "{}");
}

/** @type {Checks} */
const checks = /** @type {Checks} */ (Object.fromEntries(CHECK_NAMES.map((n) => [n, "skipped"])));

/**
 * @param {CheckName} name
 * @param {Outcome | "pending"} outcome
 * @param {string} [text] instead of the usual word
 */
function show(name, outcome, text) {
  if (outcome !== "pending") checks[name] = outcome;
  const element = document.querySelector(`#setup-checks [data-check="${name}"] .check-result`);
  if (!(element instanceof HTMLElement)) return;
  element.dataset.outcome = outcome;
  const words = {
    pending: gettext("testing …"),
    pass: gettext("works"),
    fail: gettext("does not work"),
    skipped: gettext("not tested"),
  };
  element.textContent = text || words[outcome];
}

/**
 * @param {CheckName} name
 * @param {boolean} hidden
 */
function hideRow(name, hidden) {
  const row = document.querySelector(`#setup-checks [data-check="${name}"]`);
  if (row instanceof HTMLElement) row.hidden = hidden;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {HTMLVideoElement} video
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} whether the camera delivered a picture
 */
async function pictureShown(video, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (video.videoWidth > 0) return true;
    await sleep(100);
  }
  return false;
}

/**
 * The camera and microphone checks. Resolves with the stream (or null) once the camera
 * check is done; the microphone check goes on until it hears something or gives up.
 * @param {AudioContext} audio
 * @returns {Promise<{stream: MediaStream | null, microphone: Promise<void>}>}
 */
async function checkDevices(audio) {
  const problem = byId("media-problem");
  /** @type {MediaStream | null} */
  let stream = null;
  try {
    stream = await openLocalMedia();
  } catch (error) {
    problem.textContent = describeProblem(error instanceof MediaProblem ? error.kind : "other");
    problem.hidden = false;
  }
  const video = /** @type {HTMLVideoElement} */ (byId("setup-video"));
  if (stream && stream.getVideoTracks().length > 0) {
    video.srcObject = stream;
    video.play().catch(() => {});
    show("camera", (await pictureShown(video, 5000)) ? "pass" : "fail");
  } else {
    video.hidden = true;
    show("camera", "fail");
  }
  if (!stream || stream.getAudioTracks().length === 0) {
    show("microphone", "fail");
    return { stream, microphone: Promise.resolve() };
  }
  const meter = /** @type {HTMLMeterElement} */ (byId("mic-level"));
  const source = stream;
  const microphone = new Promise((resolve) => {
    const giveUp = setTimeout(() => finish("fail"), LISTEN_MS);
    const stop = followLevel(audio, source, (level) => {
      meter.value = level;
      if (level >= HEARD_LEVEL && checks.microphone !== "pass") finish("pass");
    });
    /** @param {Outcome} outcome */
    function finish(outcome) {
      clearTimeout(giveUp);
      show("microphone", outcome);
      // The meter keeps moving after a pass, as feedback; it stops with the test.
      if (outcome === "fail") stop();
      else stopMeter = stop;
      resolve(undefined);
    }
  });
  return { stream, microphone };
}

/** @type {() => void} */
let stopMeter = () => {};

/**
 * The speakers check: the client plays the tone and says whether they heard it.
 * @param {AudioContext} audio
 * @returns {Promise<void>} once answered
 */
function checkSpeakers(audio) {
  const question = byId("tone-question");
  const play = /** @type {HTMLButtonElement} */ (byId("play-tone"));
  play.addEventListener("click", async () => {
    play.disabled = true;
    await audio.resume();
    await playTone(audio);
    play.disabled = false;
    question.hidden = false;
  });
  return new Promise((resolve) => {
    for (const [id, outcome] of /** @type {[string, Outcome][]} */ ([["heard-yes", "pass"], ["heard-no", "fail"]])) {
      byId(id).addEventListener("click", () => {
        show("speakers", outcome);
        resolve(undefined);
      });
    }
  });
}

/**
 * @param {string} url
 * @returns {Promise<IceConfig>}
 */
async function fetchIce(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 429) {
    const body = await response.json().catch(() => ({}));
    throw new IceRefused(typeof body.message === "string" ? body.message : "");
  }
  if (!response.ok) throw new Error(`ICE configuration: HTTP ${response.status}`);
  return response.json();
}

/** The server refused the test's relay credentials (too many tests of this link). */
class IceRefused extends Error {}

/**
 * Candidate types and the test call. Fills in the connection checks.
 * @param {IceConfig} ice
 * @param {AudioContext} audio
 * @param {MediaStream | null} stream
 * @returns {Promise<CallNumbers>}
 */
async function checkConnection(ice, audio, stream) {
  const relayConfigured = ice.turn.length > 0;
  byId("no-relay").hidden = relayConfigured;
  // Checks this server cannot offer are left out rather than listed as "not tested".
  hideRow("relay_udp", !relayConfigured);
  hideRow("relay_tcp", !relayConfigured);
  hideRow("relay_tls", !relayConfigured);
  hideRow("srflx", ice.stun.length === 0);
  for (const name of /** @type {CheckName[]} */ (["host", "srflx", "relay_udp", "relay_tcp", "relay_tls", "call"])) {
    show(name, "pending");
  }
  const direct = gatherTypes({ iceServers: ice.stun.length ? [{ urls: ice.stun }] : [] });
  const relays = ice.turn.map(async (relay) => ({
    kind: relay.kind,
    ok: (await gatherTypes({
      iceServers: [{ urls: relay.urls, username: relay.username, credential: relay.credential }],
      iceTransportPolicy: "relay",
    })).has("relay"),
  }));
  const types = await direct;
  show("host", types.has("host") ? "pass" : "fail");
  show("srflx", ice.stun.length === 0 ? "skipped" : types.has("srflx") ? "pass" : "fail");
  const relayResults = await Promise.all(relays);
  for (const kind of /** @type {const} */ (["udp", "tcp", "tls"])) {
    show(`relay_${kind}`, anyPassed(relayResults.filter((r) => r.kind === kind).map((r) => r.ok)));
  }
  /** @type {RTCConfiguration} */
  const config = relayConfigured
    ? {
      iceServers: ice.turn.map((r) => ({ urls: r.urls, username: r.username, credential: r.credential })),
      iceTransportPolicy: "relay",
    }
    : { iceServers: ice.stun.length ? [{ urls: ice.stun }] : [] };
  const tracks = callTracks(audio, stream);
  try {
    const call = await loopbackCall(config, tracks.stream);
    const ok = call.ok && (!relayConfigured || call.path === "relay");
    show("call", ok ? "pass" : "fail");
    if (ok) {
      const numbers = byId("call-numbers");
      numbers.textContent = format(
        gettext("Test call: speed %(kbps)s kbit/s, delay %(rtt)s ms, data lost %(loss)s."),
        {
          kbps: call.numbers.bitrateKbps ?? "?",
          rtt: call.numbers.rttMs ?? "?",
          loss: call.numbers.lossPct === null ? "?" : `${call.numbers.lossPct} %`,
        },
      );
      numbers.hidden = false;
    }
    return call.numbers;
  } finally {
    tracks.stop();
  }
}

/** @param {string} key */
function adviceText(key) {
  switch (key) {
    case "microphone":
      return gettext("We heard nothing from your microphone. Allow microphone access for this page, check that the microphone is not switched off or muted, or choose another microphone in your system settings.");
    case "speakers":
      return gettext("You did not hear the test tone. Turn up the volume, check which speakers or headphones your device uses, or connect headphones.");
    case "network":
      return gettext("The test call could not connect. Your network may block video calls: try another network, for example your smartphone's mobile data or your home Wi-Fi, or ask the network's administrator to allow video calls.");
    case "call-incomplete":
      return gettext("The test call did not complete, but your device reaches the server that can pass your call on, which is what your session needs.");
    case "camera":
      return gettext("Your camera did not show a picture. Allow camera access for this page and close other programs that use the camera. Without a camera you can still talk with audio only.");
    case "slow":
      return gettext("Your connection is slow or loses data. Close other programs and devices that use the internet, move closer to your Wi-Fi router, or use a cable.");
    case "udp-blocked":
      return gettext("Your network allows only a slower kind of connection. The session should work, but the picture may sometimes stutter.");
    default:
      return "";
  }
}

/**
 * @param {import("./setup/verdict.js").Verdict} verdict
 * @param {string[]} advice
 */
function showVerdict(verdict, advice) {
  const box = byId("setup-verdict");
  box.dataset.verdict = verdict;
  const texts = {
    ready: [
      gettext("Ready: everything works"),
      gettext("Your camera, microphone, speakers and connection work. You are ready for your session."),
    ],
    "audio-only": [
      gettext("Audio only recommended"),
      gettext("Your session will work, but the picture may not. In the room you can switch your camera off and talk with audio only."),
    ],
    blocked: [
      gettext("Blocked: here is what to do"),
      gettext("Something stands in the way of your session. Please try the following, then test again."),
    ],
  };
  byId("verdict-heading").textContent = texts[verdict][0];
  byId("verdict-text").textContent = texts[verdict][1];
  const list = byId("verdict-advice");
  list.replaceChildren();
  for (const key of advice) {
    const text = adviceText(key);
    if (!text) continue;
    const item = document.createElement("li");
    item.textContent = text;
    list.append(item);
  }
  box.hidden = false;
  byId("verdict-heading").focus();
}

/**
 * @param {string} url
 * @param {object} body
 */
async function postResult(url, body) {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  const saved = byId("verdict-saved");
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": token instanceof HTMLInputElement ? token.value : "",
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    saved.textContent = gettext("Your result was saved: your counselor can see whether your setup is ready.");
    saved.dataset.saved = "true";
  } catch {
    saved.textContent = gettext("Your result could not be saved. The test itself is done; you can test again later.");
    saved.dataset.saved = "false";
  }
}

async function run() {
  const config = readConfig();
  byId("setup-intro").hidden = true;
  byId("setup-run").hidden = false;
  for (const name of CHECK_NAMES) show(name, "pending");
  const audio = new AudioContext();
  const speakers = checkSpeakers(audio);
  const ice = fetchIce(config.iceUrl);
  const { stream, microphone } = await checkDevices(audio);
  /** @type {CallNumbers} */
  let numbers = { bitrateKbps: null, rttMs: null, lossPct: null };
  let relayConfigured = false;
  try {
    const servers = await ice;
    relayConfigured = servers.turn.length > 0;
    numbers = await checkConnection(servers, audio, stream);
  } catch (error) {
    if (error instanceof IceRefused) {
      stopMeter();
      stopAll(stream);
      throw error;
    }
    for (const name of /** @type {CheckName[]} */ (["host", "srflx", "relay_udp", "relay_tcp", "relay_tls", "call"])) {
      if (checks[name] === "skipped") show(name, "fail");
    }
    if (checks.call !== "pass") show("call", "fail");
  }
  await Promise.all([speakers, microphone]);
  stopMeter();
  stopAll(stream);
  // Camera and microphone are off now: no black preview, no still meter.
  for (const selector of ["#setup-run .preview", "#setup-run .mic-level"]) {
    const element = document.querySelector(selector);
    if (element instanceof HTMLElement) element.hidden = true;
  }
  const { verdict, advice } = decide(checks, numbers, relayConfigured);
  if (relayConfigured && checks.srflx === "fail" && checks.call === "pass") {
    // Not an error: the relay carries the call. Shown calmly, stored as it was.
    show("srflx", "fail", gettext("not found (not needed: the way through the server works)"));
    const element = document.querySelector('#setup-checks [data-check="srflx"] .check-result');
    if (element instanceof HTMLElement) element.dataset.outcome = "minor";
  }
  for (const button of document.querySelectorAll("#setup-run button")) {
    if (button instanceof HTMLButtonElement) button.disabled = true;
  }
  showVerdict(verdict, advice);
  await postResult(config.resultUrl, {
    verdict,
    relay_configured: relayConfigured,
    ...checks,
    bitrate_kbps: numbers.bitrateKbps,
    rtt_ms: numbers.rttMs,
    loss_pct: numbers.lossPct,
  });
  audio.close().catch(() => {});
}

byId("start-test").addEventListener("click", () => {
  run().catch((error) => {
    const problem = byId("media-problem");
    problem.textContent = error instanceof IceRefused && error.message
      ? error.message
      : gettext("The test stopped unexpectedly. Please reload the page and try again.");
    problem.hidden = false;
    console.error(error);
  });
}, { once: true });
