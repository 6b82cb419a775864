// What a client page keeps to come back into its call after a reload or when the link is
// opened again (docs/protocol.md, *Reconnecting*): the resume token of the latest
// welcome, the name, and until when the server keeps the place. Pure functions over a
// Storage (localStorage in the page), so that they run without a browser.

const PREFIX = "visavis.resume.";

/** @typedef {{token: string, name: string, expires: number}} Saved */

/**
 * @param {string} room the room token of the link
 * @returns {string}
 */
function keyOf(room) {
  return PREFIX + room;
}

/**
 * Remember the place in `room` until `expires` (ms since the epoch).
 * @param {Storage} storage
 * @param {string} room
 * @param {Saved} saved
 */
export function saveResume(storage, room, saved) {
  try {
    storage.setItem(keyOf(room), JSON.stringify(saved));
  } catch {
    // Storage full or disabled: a reload then means knocking again.
  }
}

/**
 * The saved place in `room`, if it is still good at `now`; an expired or unreadable
 * entry is removed.
 * @param {Storage} storage
 * @param {string} room
 * @param {number} now
 * @returns {Saved | null}
 */
export function loadResume(storage, room, now) {
  let raw = null;
  try {
    raw = storage.getItem(keyOf(room));
  } catch {
    return null;
  }
  if (!raw) return null;
  /** @type {any} */
  let saved = null;
  try {
    saved = JSON.parse(raw);
  } catch {
    saved = null;
  }
  if (!saved || typeof saved.token !== "string" || typeof saved.name !== "string"
      || typeof saved.expires !== "number" || saved.expires <= now) {
    forgetResume(storage, room);
    return null;
  }
  return { token: saved.token, name: saved.name, expires: saved.expires };
}

/**
 * Forget the place in `room` (left, ended, quick exit).
 * @param {Storage} storage
 * @param {string} room
 */
export function forgetResume(storage, room) {
  try {
    storage.removeItem(keyOf(room));
  } catch {
    // Storage disabled: nothing was kept.
  }
}

/**
 * Forget every saved place and name (the quick exit: nothing may bring the call back).
 * @param {Storage} storage
 */
export function forgetAll(storage) {
  try {
    const keys = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key && key.startsWith("visavis.")) keys.push(key);
    }
    keys.forEach((key) => storage.removeItem(key));
  } catch {
    // Storage disabled.
  }
}
