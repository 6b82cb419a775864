// The quick exit, one for every client and counselor page: nothing of visavis stays
// visible, camera and microphone stop, and a neutral page *replaces* this one in the
// history. The mark it leaves in sessionStorage lets js/exitguard.js send Back away
// again from any visavis page still in this tab's history.

import { forgetAll } from "./resume.js";

/** sessionStorage key: this tab left by the quick exit; the value is where it went. */
export const EXITED_KEY = "visavis.exited";
/** Longest wait for the "leave" message to go out before the page is replaced. */
const FLUSH_MS = 300;

/**
 * Where the quick exit goes: the page's quick exit button says, else the guard's tag.
 * @returns {string}
 */
export function exitUrl() {
  const button = /** @type {HTMLElement | null} */ (document.querySelector("[data-href].quick-exit"));
  const guard = /** @type {HTMLElement | null} */ (document.querySelector("script[data-exit]"));
  return button?.dataset.href || guard?.dataset.exit || "/exit";
}

/**
 * Forget everything that could bring the session back in this browser (the saved place
 * and name), then mark the tab as left.
 * @param {Storage} local
 * @param {Storage} session
 * @param {string} target
 */
export function forgetSession(local, session, target) {
  forgetAll(local);
  forgetAll(session);
  try {
    session.setItem(EXITED_KEY, target);
  } catch {
    // Storage disabled: Back then relies on no-store and on the page's own checks.
  }
}

/**
 * Leave at once.
 * @param {object} [options]
 * @param {(MediaStream | null | undefined)[]} [options.streams] stopped at once
 * @param {(MediaStreamTrack | null | undefined)[]} [options.tracks] stopped at once
 * @param {() => (WebSocket | null | undefined | void)} [options.leave] tells the room (sends
 *   "leave", closes the peer connections); may return the socket, to let "leave" go out
 */
export function quickExit({ streams = [], tracks = [], leave } = {}) {
  document.body.hidden = true;
  document.title = "";
  for (const stream of streams) stream?.getTracks().forEach((track) => track.stop());
  for (const track of tracks) track?.stop();
  const target = exitUrl();
  forgetSession(window.localStorage, window.sessionStorage, target);
  let socket = null;
  try {
    socket = leave?.() ?? null;
  } catch {
    // Leaving is a courtesy to the others; the exit itself must never fail.
  }
  const started = Date.now();
  const go = () => {
    if ((socket?.bufferedAmount ?? 0) > 0 && Date.now() - started < FLUSH_MS) {
      setTimeout(go, 20);
    } else {
      window.location.replace(target);
    }
  };
  go();
}
