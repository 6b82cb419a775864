// Entry module of the counselor's room page: self view, waiting room, call.

import { gettext } from "./i18n.js";
import { MediaProblem, describeProblem, openLocalMedia, stopAll } from "./media.js";
import { describeError, openConnection, readConfig, showReconnecting, startCall, syncCall } from "./room.js";
import { bindControls } from "./ui/controls.js";
import { bindCopyButtons } from "./ui/copy.js";
import { renderLobby } from "./ui/lobby.js";
import { byId } from "./ui/sections.js";

const config = readConfig();
const baseTitle = document.title;
const status = byId("connection-status");

/** @param {number} waiting */
function announceWaiting(waiting) {
  document.title = waiting ? `(${waiting}) ${baseTitle}` : baseTitle;
}

async function main() {
  bindCopyButtons();
  /** @type {MediaStream | null} */
  let localStream = null;
  try {
    localStream = await openLocalMedia();
  } catch (error) {
    status.textContent = describeProblem(error instanceof MediaProblem ? error.kind : "other");
  }
  byId("call").hidden = false;
  const connection = openConnection(config);
  const call = startCall(connection, localStream);
  bindControls({
    stream: localStream,
    onleave: () => {
      connection.leave();
      call.close();
      stopAll(localStream);
      window.location.assign("/");
    },
  });
  connection.onwelcome = (welcome) => {
    status.textContent = welcome.role === "host"
      ? gettext("You are the host of this room.")
      : gettext("You are not the host of this room.");
  };
  connection.onlobby = (waiting) => {
    renderLobby(waiting, {
      onadmit: (id) => connection.admit(id),
      ondeny: (id) => connection.deny(id),
    });
    announceWaiting(waiting.length);
  };
  connection.onreplaced = () => {
    call.close();
    stopAll(localStream);
    status.textContent = gettext("This room was opened in another window. This window is no longer connected.");
  };
  connection.onerror = (code) => {
    if (code !== "bad-state") status.textContent = describeError(code);
  };
  connection.onadmitted = (peers) => syncCall(call, connection, peers);
  showReconnecting(connection, () => call.sync(connection.id ?? "", []));
  connection.connect();
}

main();
