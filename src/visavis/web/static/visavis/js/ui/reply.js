// The waiting room both ways (docs/protocol.md, *reply*): the waiting client answers the
// counselor with a prepared message or a short text; the counselor's waiting room list
// shows the latest answer beside the knock. Nothing is stored, on either side beyond
// this page.

import { gettext } from "../i18n.js";
import { REPLY_PRESETS } from "../protocol.js";
import { byId } from "./sections.js";

/** @typedef {import("../protocol.js").ReplyPreset} ReplyPreset */
/** @typedef {import("../protocol.js").WaitingReply} WaitingReply */

/**
 * The prepared answer in the reader's language (the client's words, the counselor's
 * language).
 * @param {ReplyPreset} preset
 * @returns {string}
 */
export function presetText(preset) {
  switch (preset) {
    case "here": return gettext("I am here");
    case "audio-only": return gettext("I can only do audio today");
    default: return gettext("I need two more minutes");
  }
}

/**
 * What the counselor reads of an answer.
 * @param {WaitingReply} reply
 * @returns {string}
 */
export function replyText(reply) {
  return reply.preset ? presetText(reply.preset) : reply.text ?? "";
}

/**
 * The client's answer form in the waiting room.
 * @param {(reply: {preset: ReplyPreset} | {text: string}) => void} send
 * @returns {{show: (shown: boolean) => void, refused: (code: string) => boolean}}
 *   `show`: offer the form (while the client waits); `refused`: say why an answer did
 *   not go out, for the error codes of a reply (true when it was one of them)
 */
export function bindReplyForm(send) {
  const form = /** @type {HTMLFormElement} */ (byId("reply-form"));
  const input = /** @type {HTMLInputElement} */ (byId("reply-text"));
  const status = byId("reply-status");
  /** @param {{preset: ReplyPreset} | {text: string}} reply @param {string} shown */
  const answer = (reply, shown) => {
    send(reply);
    status.textContent = `${gettext("Sent:")} ${shown}`;
  };
  for (const button of form.querySelectorAll("button[data-preset]")) {
    const preset = REPLY_PRESETS.find((known) => known === button.getAttribute("data-preset"));
    if (!preset) continue;
    /** @type {HTMLButtonElement} */ (button).onclick = () => answer({ preset }, presetText(preset));
  }
  form.onsubmit = (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    answer({ text }, text);
    input.value = "";
  };
  return {
    show(shown) {
      form.hidden = !shown;
      if (!shown) status.textContent = "";
    },
    refused(code) {
      if (code === "host-absent") {
        status.textContent = gettext("Your counselor has not opened the session yet, so the message was not delivered. Please try again in a moment.");
      } else if (code === "too-many-replies") {
        status.textContent = gettext("Please wait a minute before sending more messages.");
      } else {
        return false;
      }
      return true;
    },
  };
}

/**
 * The latest answer of each waiting guest, for the counselor's list (which is drawn
 * anew with every change of the waiting room).
 */
export class Replies {
  constructor() {
    /** @type {Map<string, WaitingReply>} */
    this.latest = new Map();
  }

  /** @param {WaitingReply} reply */
  add(reply) {
    this.latest.set(reply.id, reply);
    const entry = document.querySelector(`#lobby li[data-guest="${CSS.escape(reply.id)}"]`);
    if (entry instanceof HTMLElement) this.show(entry, reply.id);
  }

  /**
   * Forget the answers of guests who no longer wait.
   * @param {string[]} waiting the ids of the guests waiting now
   */
  keep(waiting) {
    for (const id of [...this.latest.keys()]) if (!waiting.includes(id)) this.latest.delete(id);
  }

  /**
   * Show the guest's latest answer in their entry of the list.
   * @param {HTMLElement} entry
   * @param {string} id
   */
  show(entry, id) {
    const reply = this.latest.get(id);
    const element = /** @type {HTMLElement | null} */ (entry.querySelector(".reply"));
    if (!element) return;
    element.textContent = reply ? replyText(reply) : "";
    element.hidden = !reply;
  }
}
