// Entry module of the counselor's room page: self view, waiting room, call, moderation
// (lock, note, send back, remove, end), the session timer, and the banner about clients
// waiting in the counselor's other appointments.

import { format, gettext } from "./i18n.js";
import { MediaProblem, describeProblem, openLocalMedia, stopAll } from "./media.js";
import { describeError, openConnection, readConfig, showReconnecting, startCall, syncCall } from "./room.js";
import { bindControls } from "./ui/controls.js";
import { bindCopyButtons } from "./ui/copy.js";
import { bindHostPanel } from "./ui/hostpanel.js";
import { renderParticipants, renderWaitingRoom } from "./ui/guestlists.js";
import { Replies } from "./ui/reply.js";
import { byId } from "./ui/sections.js";
import { SessionTimer } from "./ui/timer.js";
import { bindNotificationButton, countWaiting, showCountInTitle, watchRooms } from "./ui/watch.js";

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./protocol.js").WaitingRoom} WaitingRoom */
/** @typedef {{appointment: string, watch: string, warnMinutes: number}} HostConfig */

const config = readConfig();
bindHostPanel();
/** @type {HostConfig} */
const hostConfig = JSON.parse(byId("host-config").textContent || "{}");
const baseTitle = document.title;
const status = byId("connection-status");
/** Waiting here, and waiting in the counselor's other rooms: both count in the title. */
const counts = { here: 0, elsewhere: 0 };

function updateTitle() {
  showCountInTitle(baseTitle, counts.here + counts.elsewhere);
}

/**
 * The banner: one line per other appointment where someone waits, with a link to it.
 * @param {WaitingRoom[]} rooms
 */
function renderBanner(rooms) {
  const others = rooms.filter((room) => room.appointment !== hostConfig.appointment);
  const list = byId("watch-rooms");
  const template = /** @type {HTMLTemplateElement} */ (byId("watch-room-entry"));
  list.replaceChildren();
  for (const room of others) {
    const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true));
    const link = /** @type {HTMLAnchorElement} */ (fragment.querySelector(".room-link"));
    link.href = room.url;
    link.textContent = room.title;
    list.append(fragment);
  }
  byId("watch-banner").hidden = others.length === 0;
  counts.elsewhere = countWaiting(others);
  updateTitle();
}

/**
 * Lock, note and end: the buttons of the panel, wired to the connection.
 * @param {import("./protocol.js").RoomConnection} connection
 */
function bindModeration(connection) {
  const lock = /** @type {HTMLButtonElement} */ (byId("lock-room"));
  const end = /** @type {HTMLButtonElement} */ (byId("end-session"));
  const noteText = /** @type {HTMLInputElement} */ (byId("note-text"));
  lock.onclick = () => {
    lock.disabled = true;
    connection.setLocked(lock.getAttribute("aria-pressed") !== "true");
  };
  byId("note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!noteText.value.trim()) return;
    connection.note(noteText.value);
    noteText.value = "";
  });
  byId("clear-note").onclick = () => connection.note("");
  end.onclick = () => {
    if (window.confirm(gettext("End the session for everyone? Everyone in the call and in the waiting room will be told that the session has ended."))) {
      end.disabled = true;
      connection.end();
    }
  };
  const timer = new SessionTimer(byId("session-timer"), hostConfig.warnMinutes);
  connection.onstatus = (room) => {
    lock.disabled = false;
    end.disabled = false;
    lock.setAttribute("aria-pressed", String(room.locked));
    lock.textContent = room.locked ? gettext("Unlock the room") : gettext("Lock the room");
    byId("lock-state").hidden = !room.locked;
    byId("current-note").hidden = !room.note;
    byId("current-note-text").textContent = room.note
      ? `${gettext("Current note:")} ${room.note}`
      : "";
    timer.update(room);
  };
  return timer;
}

async function main() {
  bindCopyButtons();
  bindNotificationButton(
    /** @type {HTMLButtonElement} */ (byId("allow-notifications")),
    byId("notifications-blocked"),
  );
  watchRooms({ path: hostConfig.watch, render: renderBanner });
  /** @type {MediaStream | null} */
  let localStream = null;
  try {
    localStream = await openLocalMedia();
  } catch (error) {
    status.textContent = describeProblem(error instanceof MediaProblem ? error.kind : "other");
  }
  byId("call").hidden = false;
  const connection = openConnection(config);
  const call = startCall(config, connection, localStream);
  const timer = bindModeration(connection);

  // The guests in the call, for "back to the waiting room" and "remove".
  /** @type {Map<string, Peer>} */
  const guests = new Map();
  const showGuests = () => renderParticipants([...guests.values()], {
    onsendback: (id) => connection.sendBack(id),
    onremove: (id) => connection.remove(id),
  });
  const joined = connection.onjoined;
  connection.onjoined = (peer) => {
    joined(peer);
    if (peer.role === "guest") guests.set(peer.id, peer);
    showGuests();
  };
  const left = connection.onleft;
  connection.onleft = (id) => {
    left(id);
    guests.delete(id);
    showGuests();
  };
  connection.onadmitted = (peers) => {
    syncCall(call, connection, peers);
    guests.clear();
    peers.filter((peer) => peer.role === "guest").forEach((peer) => guests.set(peer.id, peer));
    showGuests();
  };

  /** The call is over on this page: no more camera, no more controls. */
  const finish = () => {
    call.close();
    stopAll(localStream);
    timer.stop();
    // This page no longer acts for the room: no buttons that would do nothing.
    for (const id of ["lock-room", "end-session"]) {
      /** @type {HTMLButtonElement} */ (byId(id)).disabled = true;
    }
  };
  bindControls({
    stream: localStream,
    call,
    onleave: () => {
      connection.leave();
      finish();
      window.location.assign("/");
    },
  });
  connection.onwelcome = (welcome) => {
    status.textContent = welcome.role === "host"
      ? gettext("You are the host of this room.")
      : gettext("You are not the host of this room.");
  };
  const replies = new Replies();
  connection.onwaitingreply = (reply) => replies.add(reply);
  connection.onwaitingroom = (waiting) => {
    replies.keep(waiting.map((guest) => guest.id));
    renderWaitingRoom(waiting, {
      onadmit: (id) => connection.admit(id),
      ondeny: (id, message) => connection.deny(id, message),
      decorate: (entry, id) => replies.show(entry, id),
    });
    counts.here = waiting.length;
    updateTitle();
  };
  connection.onloggedout = () => {
    finish();
    status.textContent = gettext("You were logged out everywhere. Please log in again.");
  };
  connection.onreplaced = () => {
    finish();
    status.textContent = gettext("This room was opened in another window. This window is no longer connected.");
  };
  connection.onended = () => {
    finish();
    byId("host-layout").hidden = true;
    byId("host-ended").hidden = false;
    byId("host-ended-heading").focus();
    counts.here = 0;
    updateTitle();
  };
  connection.onerror = (code) => {
    if (code === "room-full") {
      // Said to the counselor, who is the one to act: never "ask your counselor".
      status.textContent = format(
        gettext("The call is full (at most %(count)s people). Someone must leave before you can let anyone else in."),
        { count: String(connection.welcome?.max_participants ?? "") },
      );
    } else if (code !== "bad-state") {
      status.textContent = describeError(code);
    }
  };
  showReconnecting(connection, () => call.sync(connection.id ?? "", []));
  connection.connect();
}

main();
