// Camera and microphone: opening them, explaining failures, muting. No DOM here.

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
 * Open camera and microphone; if the camera is missing or busy, fall back to audio only.
 * @returns {Promise<MediaStream>}
 */
export async function openLocalMedia() {
  if (!globalThis.isSecureContext) throw new MediaProblem("insecure");
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === "undefined") {
    throw new MediaProblem("unsupported");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: AUDIO_CONSTRAINTS,
      video: VIDEO_CONSTRAINTS,
    });
  } catch (error) {
    const kind = classify(error);
    if (kind === "denied") throw new MediaProblem(kind, error);
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: AUDIO_CONSTRAINTS });
    } catch (second) {
      throw new MediaProblem(classify(second), second);
    }
  }
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
