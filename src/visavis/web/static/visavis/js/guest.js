// Entry module of the client's room page (the guest link): pre-join check, knock, wait,
// call. The pre-join check lives in ui/prejoin.js; this module wires the page's states.

import { format, gettext } from "./i18n.js";
import { stopAll } from "./media.js";
import { quickExit } from "./quickexit.js";
import { forgetResume, loadResume, pruneExpired, saveResume } from "./resume.js";
import { describeError, openConnection, readConfig, showReconnecting, startCall, syncCall } from "./room.js";
import { bindControls, bindQuickExit } from "./ui/controls.js";
import { Prejoin } from "./ui/prejoin.js";
import { bindReplyForm } from "./ui/reply.js";
import { byId, showSection } from "./ui/sections.js";

/** Every switchable part of the page (guest_room.html); exactly one shows at a time. */
const SECTIONS = [
  "prejoin", "resuming", "waiting", "denied", "removed", "session-ended", "link-closed", "locked", "ended",
  "failure", "call",
];
const NAME_KEY = "visavis.name";
const config = readConfig();
const prejoin = new Prejoin();
/** @type {MediaStream | null} */
let localStream = null;

/** How often the saved place's expiry moves on while the connection is up. */
const SAVE_EVERY_MS = 5000;

/** This page's place is over (left, turned away, ended): a reload must not resume it. */
function forgetPlace() {
  forgetResume(window.localStorage, config.room);
}

/** @param {string} message */
function fail(message) {
  forgetPlace();
  stopAll(localStream);
  byId("failure-message").textContent = message;
  showSection("failure", SECTIONS);
}

/**
 * @param {string} name
 * @param {import("./protocol.js").WaitingInfo} [info] what the server said with "waiting"
 */
function showWaiting(name, info) {
  byId("waiting-as").textContent = format(gettext("You are waiting as %(name)s."), { name });
  if (info) {
    // "Has been notified" only while it is true: the counselor's page is open.
    for (const element of byId("waiting").querySelectorAll("[data-present]")) {
      /** @type {HTMLElement} */ (element).hidden =
        (element.getAttribute("data-present") === "yes") !== info.counselorPresent;
    }
    byId("call-full-info").hidden = !info.callFull;
  }
  // Already waiting: an update, not a new page state (focus stays where it is).
  if (byId("waiting").hidden) showSection("waiting", SECTIONS);
}

/**
 * Knock with `name`, or, with `saved`, take back the place this browser had in the call
 * a moment ago (a reload, the link opened again): no knock, straight back in.
 * @param {string} name
 * @param {import("./resume.js").Saved | null} [saved]
 */
async function knock(name, saved = null) {
  // The browser may still be asking about camera and microphone: say so if it takes long.
  const status = byId("knock-status");
  const hint = setTimeout(() => {
    status.textContent = gettext("Please answer your browser's question about camera and microphone first.");
  }, 1500);
  await prejoin.settled();
  clearTimeout(hint);
  status.textContent = "";
  localStream = prejoin.handOver();
  const connection = openConnection(config);
  if (saved) {
    connection.resumeToken = saved.token;
    connection.rejoin = true;
  }
  // In the waiting room, the quick exit leaves it (in the call, startCall rebinds it).
  bindQuickExit(() => leaveForNeutralPage(() => connection.leave()));
  /** Keep the place (waiting or in the call) for a reload, for as long as the server
   * keeps it after a drop; 0 while there is no place to keep. */
  let grace = 0;
  const save = () => {
    if (!grace || !connection.resumeToken || connection.closedByUs) return;
    saveResume(window.localStorage, config.room, {
      token: connection.resumeToken, name, expires: Date.now() + grace,
    });
  };
  /** @param {import("./protocol.js").Welcome} welcome */
  const keepPlace = (welcome) => {
    grace = (welcome.resume_grace ?? 60) * 1000;
    save();
  };
  const saver = setInterval(() => { if (connection.socket) save(); }, SAVE_EVERY_MS);
  window.addEventListener("pagehide", save);
  const stopSaving = () => {
    grace = 0;
    clearInterval(saver);
    forgetPlace();
  };
  /** @type {import("./topology.js").MediaCall | null} */
  let call = null;
  // Waiting, the client can answer the counselor (docs/protocol.md, *reply*).
  const replyForm = bindReplyForm((reply) => connection.reply(reply));
  const leave = () => {
    stopSaving();
    connection.leave();
    call?.close();
    stopAll(localStream);
    showSection("ended", SECTIONS);
  };

  // Lobby: knock, wait, be let in or not.
  // After a reconnect the server may no longer know us (state "lobby"): knock again.
  connection.onwelcome = (welcome) => {
    if (welcome.state === "lobby") {
      grace = 0;  // no place (yet, or any more): knock, and keep the place once we have one
      forgetPlace();
      connection.knock(name);
    } else {
      keepPlace(welcome);
    }
  };
  connection.onwaiting = (info) => {
    if (connection.welcome) keepPlace(connection.welcome);
    showWaiting(name, info);
    replyForm.show(true);
  };
  connection.onadmitted = (peers) => {
    replyForm.show(false);
    byId("sent-back-info").hidden = true;
    showSection("call", SECTIONS);
    if (!call) {
      call = startCall(config, connection, localStream);
      bindControls({ stream: localStream, onleave: leave, call });
    }
    syncCall(call, connection, peers);
  };
  connection.ondenied = (message) => {
    stopSaving();
    stopAll(localStream);
    byId("denied-message-text").textContent = message ?? "";
    byId("denied-message").hidden = !message;
    showSection("denied", SECTIONS);
  };

  // Moderation by the counselor (docs/protocol.md): a note while waiting, back to the
  // waiting room, taken out, the session ended for everyone.
  connection.onnote = (text) => {
    byId("waiting-note-text").textContent = text;
    byId("waiting-note").hidden = !text;
  };
  connection.onsentback = () => {
    call?.sync(connection.id ?? "", []);  // everyone in the call got "left" for us
    byId("sent-back-info").hidden = false;
    showWaiting(name);
    replyForm.show(true);
  };
  /** @param {string} section */
  const over = (section) => {
    stopSaving();
    call?.close();
    stopAll(localStream);
    showSection(section, SECTIONS);
  };
  connection.onremoved = () => over("removed");
  connection.onended = () => over("session-ended");
  connection.onlinkclosed = () => over("link-closed");

  // Errors: in the call they are passing; before it, they end this attempt.
  connection.onerror = (code) => {
    if (call) {
      // Negotiation racing a departure is normal and mends itself; say nothing then.
      if (code !== "bad-state" && code !== "no-such-participant") {
        byId("call-status").textContent = describeError(code);
      }
    } else if (!replyForm.refused(code)) {
      // Before the call, any other refusal ends this attempt: say why, plainly. A refused
      // knock means the room's conditions changed (PIN, time); the page explains them.
      connection.close();
      if (code === "room-locked" || code === "session-ended") {
        over(code === "room-locked" ? "locked" : "session-ended");
        return;
      }
      fail(code === "not-allowed"
        ? gettext("This room cannot be entered right now. Please reload the page.")
        : describeError(code));
    }
  };
  // Our old peer connections are of no use once we must knock again.
  showReconnecting(connection, () => call?.sync(connection.id ?? "", []));
  byId("leave-waiting").onclick = leave;
  connection.connect();
}

/**
 * The quick exit before the call: nothing stays visible, camera and microphone stop,
 * and a neutral page replaces this one in the history (js/quickexit.js).
 * @param {() => (WebSocket | null)} [leaveRoom]
 */
function leaveForNeutralPage(leaveRoom) {
  nameInput().value = "";
  quickExit({ streams: [localStream, prejoin.stream], leave: leaveRoom });
}

/** @returns {HTMLInputElement} */
function nameInput() {
  return /** @type {HTMLInputElement} */ (byId("display-name"));
}

byId("knock-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = nameInput();
  const name = input.value.trim();
  if (!name) {
    input.setCustomValidity(gettext("Please enter a name."));
    input.reportValidity();
    return;
  }
  input.setCustomValidity("");
  try {
    sessionStorage.setItem(NAME_KEY, name);
  } catch {
    // Storage disabled: "Join again" just asks for the name once more.
  }
  /** @type {HTMLButtonElement} */ (byId("knock-button")).disabled = true;
  knock(name);
});
nameInput().addEventListener("input", () => nameInput().setCustomValidity(""));

// "Join again" reloads the page: keep the name typed in this tab.
try {
  nameInput().value ||= sessionStorage.getItem(NAME_KEY) ?? "";
} catch {
  // Storage disabled.
}

// Camera and microphone open while the client types their name; knocking waits for them.
prejoin.start();
bindQuickExit(() => leaveForNeutralPage());

// Back into the call after a reload or with the link opened again, within the grace
// period: no pre-join page, no knock; a short "Reconnecting…" while the camera opens.
pruneExpired(window.localStorage, Date.now());
const saved = loadResume(window.localStorage, config.room, Date.now());
if (saved) {
  showSection("resuming", SECTIONS);
  knock(saved.name, saved);
}
// From here on the sections' hidden attributes say what shows (js/resumehint.js).
document.documentElement.classList.remove("resuming");
