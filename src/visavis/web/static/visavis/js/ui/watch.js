// The counselor's alerts when a client waits in one of their rooms: a short tone (made
// with WebAudio, no sound file), a system notification once the counselor allowed them,
// and the count in the tab's title. Used by the dashboard and the host's room page.

import { format, gettext } from "../i18n.js";
import { WatchConnection, socketUrl } from "../protocol.js";

/** @typedef {import("../protocol.js").WaitingRoom} WaitingRoom */

/** @type {AudioContext | null} */
let audio = null;

/**
 * The page's audio context. Browsers start it suspended until the person interacts with
 * the page, so the first click or key press anywhere resumes it (see watchRooms).
 * @returns {AudioContext | null}
 */
function audioContext() {
  if (!audio) {
    const Context = globalThis.AudioContext ?? /** @type {any} */ (globalThis).webkitAudioContext;
    if (!Context) return null;
    audio = new Context();
  }
  return audio;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let quietLater;

/**
 * Suspend the audio context once its sounds are over: a running context keeps the
 * browser's audio thread busy for nothing for the whole session (bench/cpu.py).
 * @param {AudioContext} context
 */
function suspendSoon(context) {
  clearTimeout(quietLater);
  quietLater = setTimeout(() => context.suspend().catch(() => {}), 1000);
}

/** Resume the context under a user gesture, so that later tones may play; then rest. */
function unlockAudio() {
  const context = audioContext();
  if (!context) return;
  context.resume().then(() => suspendSoon(context)).catch(() => {});
}

/** Two soft rising tones, about half a second in all. */
export function playTone() {
  const context = audioContext();
  if (!context) return;
  if (context.state === "suspended") context.resume().catch(() => {});
  suspendSoon(context);
  const start = context.currentTime + 0.02;
  [[660, 0], [880, 0.22]].forEach(([frequency, offset]) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    const at = start + offset;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.22);
  });
  // How many tones this page played: the browser tests read it (a headless browser has
  // no speakers to listen to).
  /** @type {any} */ (globalThis).__visavisTones = (/** @type {any} */ (globalThis).__visavisTones ?? 0) + 1;
}

/** @returns {boolean} */
function notificationsSupported() {
  return typeof globalThis.Notification === "function";
}

/**
 * A system notification for a room where someone new waits. The text names the
 * appointment, never the client: notifications can show on a locked screen.
 * @param {WaitingRoom} room
 */
function notify(room) {
  if (!notificationsSupported() || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(gettext("Someone is waiting"), {
      body: format(gettext("Someone is waiting in %(appointment)s."), { appointment: room.title }),
      tag: `visavis-${room.appointment}`,
    });
    notification.onclick = () => {
      window.focus();
      window.location.assign(room.url);
    };
  } catch {
    // Some browsers allow notifications only from a service worker: the tone and the
    // title still tell.
  }
}

/**
 * The "Allow notifications" button: asks the browser only when the counselor clicks, and
 * hides itself once that is decided.
 * @param {HTMLButtonElement | null} button
 * @param {HTMLElement | null} hint where to say that notifications are blocked
 */
export function bindNotificationButton(button, hint) {
  if (!button) return;
  const update = () => {
    const permission = notificationsSupported() ? Notification.permission : "denied";
    button.hidden = permission !== "default";
    if (hint) hint.hidden = !(notificationsSupported() && permission === "denied");
  };
  button.onclick = async () => {
    unlockAudio();
    try {
      await Notification.requestPermission();
    } catch {
      // Very old browsers: the callback form; nothing more to do.
    }
    update();
  };
  update();
}

/**
 * @param {WaitingRoom[]} rooms
 * @returns {number} how many people wait in all of them
 */
export function countWaiting(rooms) {
  return rooms.reduce((sum, room) => sum + room.waiting.length, 0);
}

/**
 * Open the watch connection and alert on every new knock.
 * @param {object} options
 * @param {string} options.path the watch endpoint, e.g. "/ws/watch"
 * @param {(rooms: WaitingRoom[]) => void} options.render show the rooms on the page
 * @returns {WatchConnection}
 */
export function watchRooms({ path, render }) {
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  const watch = new WatchConnection(socketUrl(path, window.location));
  watch.onchange = (rooms, arrivals) => {
    render(rooms);
    if (arrivals.length) {
      playTone();
      arrivals.forEach(notify);
    }
  };
  // Logged out everywhere: reloading leads to the login page.
  watch.onloggedout = () => window.location.reload();
  watch.connect();
  return watch;
}

/**
 * Keep "(n) " in front of the tab's title while people wait.
 * @param {string} base the title without a count
 * @param {number} count
 */
export function showCountInTitle(base, count) {
  document.title = count ? `(${count}) ${base}` : base;
}
