// Cameras, microphones and speakers: listing them, remembering the client's choice for
// this browser tab, and routing sound to a chosen speaker. No DOM beyond media elements.
//
// The choice lives in sessionStorage, not localStorage: it helps a reload or the step
// from the pre-join page into the call, but leaves nothing behind on a shared computer.

import { format, gettext } from "./i18n.js";

/** @typedef {{deviceId: string, label: string}} DeviceInfo */
/** @typedef {"audioinput" | "videoinput" | "audiooutput"} DeviceKind */
/** @typedef {{audioinput?: string, videoinput?: string, audiooutput?: string}} DeviceChoice */

const STORAGE_KEY = "visavis.devices";
/** @type {DeviceKind[]} */
const KINDS = ["audioinput", "videoinput", "audiooutput"];

/**
 * A name for a device whose label the browser hides (before permission, or always for
 * some speakers): "Microphone 2" rather than an empty line in a list.
 * @param {DeviceKind} kind
 * @param {number} n 1-based position within its kind
 * @returns {string}
 */
export function fallbackLabel(kind, n) {
  if (kind === "audioinput") return format(gettext("Microphone %(n)s"), { n });
  if (kind === "videoinput") return format(gettext("Camera %(n)s"), { n });
  return format(gettext("Speaker %(n)s"), { n });
}

/**
 * The browser's cameras, microphones and speakers, by kind. Entries without a device id
 * (what browsers report before permission is given) are left out: they cannot be chosen.
 * @returns {Promise<{audioinput: DeviceInfo[], videoinput: DeviceInfo[], audiooutput: DeviceInfo[]}>}
 */
export async function listDevices() {
  /** @type {{audioinput: DeviceInfo[], videoinput: DeviceInfo[], audiooutput: DeviceInfo[]}} */
  const result = { audioinput: [], videoinput: [], audiooutput: [] };
  if (!globalThis.navigator?.mediaDevices?.enumerateDevices) return result;
  let devices;
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    return result;
  }
  for (const device of devices) {
    const kind = /** @type {DeviceKind} */ (device.kind);
    if (!KINDS.includes(kind) || !device.deviceId) continue;
    const list = result[kind];
    if (list.some((known) => known.deviceId === device.deviceId)) continue;
    list.push({ deviceId: device.deviceId, label: device.label || fallbackLabel(kind, list.length + 1) });
  }
  return result;
}

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Some browsers throw on access when storage is disabled.
    return null;
  }
}

/**
 * The devices chosen earlier in this tab; only well-formed entries survive.
 * @returns {DeviceChoice}
 */
export function savedChoice() {
  /** @type {DeviceChoice} */
  const choice = {};
  let stored;
  try {
    stored = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? "{}");
  } catch {
    return choice;
  }
  if (!stored || typeof stored !== "object") return choice;
  for (const kind of KINDS) {
    const value = stored[kind];
    if (typeof value === "string" && value && value.length <= 512) choice[kind] = value;
  }
  return choice;
}

/**
 * Remember `deviceId` for `kind` (an empty id forgets the choice).
 * @param {DeviceKind} kind
 * @param {string} deviceId
 */
export function saveChoice(kind, deviceId) {
  if (!KINDS.includes(kind)) return;
  const choice = savedChoice();
  if (deviceId) choice[kind] = deviceId;
  else delete choice[kind];
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Full or disabled storage: the choice just is not remembered.
  }
}

/**
 * Whether this browser can play sound on a chosen speaker (Chrome and Edge on the
 * desktop; Firefox and Safari only partly; no phone browser).
 * @returns {boolean}
 */
export function speakerSelectionSupported() {
  const prototype = globalThis.HTMLMediaElement?.prototype;
  return !!prototype && "setSinkId" in prototype;
}

/**
 * Play `element`'s sound on speaker `deviceId` ("" is the system default). Returns
 * whether the speaker was set; a failure (device gone, no permission) leaves the
 * element on its current speaker rather than silencing it.
 * @param {HTMLMediaElement} element
 * @param {string} deviceId
 * @returns {Promise<boolean>}
 */
export async function setSpeaker(element, deviceId) {
  const target = /** @type {HTMLMediaElement & {setSinkId?: (id: string) => Promise<void>}} */ (element);
  if (typeof target.setSinkId !== "function") return false;
  try {
    await target.setSinkId(deviceId);
    return true;
  } catch (error) {
    console.warn("visavis: could not switch the speaker", error);
    return false;
  }
}
