// The host's session timer: time since the call started and time to the appointment's
// scheduled end, with a gentle cue shortly before that end. Only the host sees it.

import { format, gettext } from "../i18n.js";

/**
 * "m:ss", or "h:mm:ss" from an hour on.
 * @param {number} seconds
 * @returns {string}
 */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * Where the session stands at `now`: the texts to show and which cue applies.
 * @param {{started_at?: string, ends_at: string}} status
 * @param {number} warnMinutes the cue starts this many minutes before the end (0: never)
 * @param {number} now milliseconds since the epoch
 * @returns {{elapsed: string, remaining: string, cue: "" | "ending" | "over"}}
 */
export function timerState(status, warnMinutes, now) {
  const left = (Date.parse(status.ends_at) - now) / 1000;
  const elapsed = status.started_at
    ? format(gettext("In the call for %(time)s"), { time: clock((now - Date.parse(status.started_at)) / 1000) })
    : gettext("The call has not started yet.");
  const remaining = left >= 0
    ? format(gettext("%(time)s until the scheduled end"), { time: clock(left) })
    : format(gettext("%(time)s past the scheduled end"), { time: clock(-left) });
  /** @type {"" | "ending" | "over"} */
  let cue = "";
  if (left < 0) cue = "over";
  else if (warnMinutes > 0 && left <= warnMinutes * 60) cue = "ending";
  return { elapsed, remaining, cue };
}

export class SessionTimer {
  /**
   * @param {HTMLElement} element the timer (with #timer-elapsed and #timer-remaining)
   * @param {number} warnMinutes
   */
  constructor(element, warnMinutes) {
    this.element = element;
    this.warnMinutes = warnMinutes;
    /** @type {{started_at?: string, ends_at: string} | null} */
    this.status = null;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.ticker = undefined;
  }

  /** @param {{started_at?: string, ends_at: string}} status */
  update(status) {
    this.status = status;
    this.element.hidden = false;
    this.render();
    if (this.ticker === undefined) this.ticker = setInterval(() => this.render(), 1000);
  }

  render() {
    if (!this.status) return;
    const state = timerState(this.status, this.warnMinutes, Date.now());
    const elapsed = this.element.querySelector(".elapsed");
    const remaining = this.element.querySelector(".remaining");
    // Only when the text changes: rewriting it every second costs layout for nothing.
    if (elapsed && elapsed.textContent !== state.elapsed) elapsed.textContent = state.elapsed;
    if (remaining && remaining.textContent !== state.remaining) {
      remaining.textContent = state.remaining;
    }
    this.element.classList.toggle("ending", state.cue === "ending");
    this.element.classList.toggle("over", state.cue === "over");
  }

  stop() {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
