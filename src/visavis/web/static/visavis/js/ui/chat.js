// The chat panel of a call: the message log (a live region), the input, and the unread
// count on the chat button. Text is only ever set as textContent.

import { MAX_CHAT_LENGTH } from "../chat.js";
import { format, gettext } from "../i18n.js";
import { byId } from "./sections.js";

/** @typedef {import("../chat.js").Chat} Chat */
/** @typedef {import("../chat.js").ChatEntry} ChatEntry */

/** Messages kept on screen; older ones go (they were never stored anywhere else). */
const MAX_SHOWN = 200;

/**
 * @param {Date} at
 * @returns {string}
 */
function clock(at) {
  const lang = document.documentElement.lang || undefined;
  try {
    return at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  } catch {
    return at.toLocaleTimeString();
  }
}

/**
 * Wire the chat panel to `chat`.
 * @param {Chat} chat
 */
export function bindChat(chat) {
  const panel = byId("chat");
  const toggle = byId("toggle-chat");
  const unreadBadge = byId("chat-unread");
  const log = byId("chat-log");
  const form = /** @type {HTMLFormElement} */ (byId("chat-form"));
  const input = /** @type {HTMLTextAreaElement} */ (byId("chat-input"));
  const problem = byId("chat-problem");
  // The log is a live region only while the panel shows; with the panel closed, a new
  // message is announced here.
  const announce = byId("chat-announce");
  input.maxLength = MAX_CHAT_LENGTH;
  let unread = 0;

  const renderUnread = () => {
    unreadBadge.hidden = unread === 0;
    unreadBadge.textContent = unread ? format(gettext("%(count)s new"), { count: unread }) : "";
  };

  /** @param {boolean} open */
  const setOpen = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) {
      unread = 0;
      renderUnread();
      log.scrollTop = log.scrollHeight;
      input.focus();
      // On a phone the panel is below the pictures: bring it into view.
      panel.scrollIntoView({ block: "nearest" });
    }
  };

  /** @param {string} text */
  const showProblem = (text) => {
    problem.textContent = text;
    problem.hidden = !text;
  };

  toggle.onclick = () => setOpen(panel.hidden);

  chat.onentry = (entry) => {
    log.querySelector(".chat-empty")?.remove();
    const item = document.createElement("p");
    item.className = entry.mine ? "chat-message mine" : "chat-message";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = entry.mine ? gettext("You") : entry.name;
    const time = document.createElement("time");
    time.dateTime = entry.at.toISOString();
    time.textContent = clock(entry.at);
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = entry.text;
    item.append(who, " ", time, document.createElement("br"), text);
    log.append(item);
    while (log.childElementCount > MAX_SHOWN) log.firstElementChild?.remove();
    log.scrollTop = log.scrollHeight;
    if (!entry.mine && panel.hidden) {
      unread += 1;
      renderUnread();
      announce.textContent = format(gettext("New chat message from %(name)s"), { name: entry.name });
    }
  };

  const send = () => {
    const result = chat.send(input.value);
    if (result === "sent") {
      input.value = "";
      showProblem("");
    } else if (result === "too-long") {
      showProblem(format(gettext("Please write at most %(count)s characters."), { count: MAX_CHAT_LENGTH }));
    } else if (result === "nobody") {
      showProblem(gettext("Your message could not be sent: nobody else is connected right now."));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener("input", () => showProblem(""));
  renderUnread();
}
