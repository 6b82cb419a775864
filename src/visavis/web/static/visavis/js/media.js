// Camera and microphone: opening them, explaining failures, muting. No DOM here.

import { savedChoice } from "./devices.js";
import { gettext } from "./i18n.js";

/** @typedef {"insecure" | "unsupported" | "denied" | "notfound" | "inuse" | "other"} ProblemKind */

export class MediaProblem extends Error {
  /**
   * @param {ProblemKind} kind
   * @param {unknown} [cause]
   */
  constructor(kind, cause) {
    super(kind);
    this.kind = kind;
    this.cause = cause;
  }
}

export const AUDIO_CONSTRAINTS = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export const VIDEO_CONSTRAINTS = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

/**
 * Constraints for one kind of device: the shared settings, plus the device to use.
 * `exact` insists on that device (an explicit switch); `ideal` prefers it but takes
 * another when it is gone (a choice remembered from earlier, the device since unplugged).
 * @param {"audio" | "video"} kind
 * @param {string | undefined} deviceId
 * @param {"exact" | "ideal"} strength
 * @returns {MediaTrackConstraints}
 */
export function constraintsFor(kind, deviceId, strength) {
  const base = kind === "audio" ? AUDIO_CONSTRAINTS : VIDEO_CONSTRAINTS;
  return deviceId ? { ...base, deviceId: { [strength]: deviceId } } : base;
}

function requireMediaSupport() {
  if (!globalThis.isSecureContext) throw new MediaProblem("insecure");
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === "undefined") {
    throw new MediaProblem("unsupported");
  }
}

/**
 * Open microphone and (unless `video: false`) camera, on the devices chosen earlier in
 * this tab. If the camera is missing or busy, fall back to audio only.
 * @param {{video?: boolean}} [options] `video: false` joins with the camera off: it is
 *   never opened, so the browser does not even ask for it.
 * @returns {Promise<MediaStream>}
 */
export async function openLocalMedia({ video = true } = {}) {
  requireMediaSupport();
  const choice = savedChoice();
  const audio = constraintsFor("audio", choice.audioinput, "ideal");
  if (video) {
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio,
        video: constraintsFor("video", choice.videoinput, "ideal"),
      });
    } catch (error) {
      const kind = classify(error);
      if (kind === "denied") throw new MediaProblem(kind, error);
    }
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ audio });
  } catch (error) {
    throw new MediaProblem(classify(error), error);
  }
}

/**
 * Open one track on one device, with the same settings as openLocalMedia: for switching
 * the camera or microphone, or turning the camera on later. "" takes the default device.
 * @param {"audio" | "video"} kind
 * @param {string} deviceId
 * @returns {Promise<MediaStreamTrack>}
 */
export async function openTrack(kind, deviceId) {
  requireMediaSupport();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind, deviceId, "exact") });
  } catch (error) {
    throw new MediaProblem(classify(error), error);
  }
  const [track, ...extra] = stream.getTracks().filter((t) => t.kind === kind);
  for (const other of extra) other.stop();
  if (!track) throw new MediaProblem("notfound");
  return track;
}

/**
 * @param {unknown} error
 * @returns {ProblemKind}
 */
export function classify(error) {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "notfound";
  if (name === "NotReadableError" || name === "AbortError") return "inuse";
  return "other";
}

/**
 * A calm explanation of a media problem, in the page's language.
 * @param {ProblemKind} kind
 * @returns {string}
 */
export function describeProblem(kind) {
  switch (kind) {
    case "insecure":
      return gettext("This page was not opened over a secure connection, so the browser blocks camera and microphone. Please use the https link from your invitation.");
    case "unsupported":
      return gettext("This browser cannot make video calls. Please open the link in a current version of Firefox, Chrome, Edge or Safari.");
    case "denied":
      return gettext("Camera and microphone are blocked. Click the camera symbol in the address bar, choose “Allow”, and reload the page.");
    case "notfound":
      return gettext("No camera or microphone was found. Please connect one and reload the page.");
    case "inuse":
      return gettext("Your camera or microphone is being used by another program. Please close it and reload the page.");
    default:
      return gettext("Camera and microphone could not be started. Please reload the page and try again.");
  }
}

/**
 * Switch all tracks of one kind on or off (muting keeps the connection intact).
 * @param {MediaStream | null} stream
 * @param {"audio" | "video"} kind
 * @param {boolean} enabled
 */
export function setEnabled(stream, kind, enabled) {
  if (!stream) return;
  for (const track of stream.getTracks()) {
    if (track.kind === kind) track.enabled = enabled;
  }
}

/**
 * @param {MediaStream | null} stream
 * @param {"audio" | "video"} kind
 * @returns {boolean}
 */
export function hasTrack(stream, kind) {
  return !!stream && stream.getTracks().some((track) => track.kind === kind);
}

/** @param {MediaStream | null} stream */
export function stopAll(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}
