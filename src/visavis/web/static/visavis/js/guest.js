// Entry module of the client's room page (the guest link): preview, knock, wait, call.

import { gettext } from "./i18n.js";
import { MediaProblem, describeProblem, openLocalMedia, stopAll } from "./media.js";
import { describeError, openConnection, readConfig, startCall } from "./room.js";
import { bindControls } from "./ui/controls.js";
import { byId, showSection } from "./ui/sections.js";
import { attach } from "./ui/tiles.js";

const SECTIONS = ["prejoin", "waiting", "denied", "ended", "failure", "call"];
const config = readConfig();
/** @type {MediaStream | null} */
let localStream = null;

/** @param {string} message */
function fail(message) {
  stopAll(localStream);
  byId("failure-message").textContent = message;
  showSection("failure", SECTIONS);
}

async function preview() {
  try {
    localStream = await openLocalMedia();
    attach(/** @type {HTMLVideoElement} */ (byId("preview-video")), localStream);
  } catch (error) {
    const problem = byId("media-problem");
    problem.textContent = describeProblem(error instanceof MediaProblem ? error.kind : "other");
    problem.hidden = false;
  }
}

/** @param {string} name */
function knock(name) {
  const connection = openConnection(config);
  /** @type {import("./call.js").Call | null} */
  let call = null;
  const leave = () => {
    connection.leave();
    call?.close();
    stopAll(localStream);
    showSection("ended", SECTIONS);
  };
  connection.onwelcome = () => connection.knock(name);
  connection.onwaiting = () => showSection("waiting", SECTIONS);
  connection.onadmitted = (peers) => {
    showSection("call", SECTIONS);
    call = startCall(connection, localStream);
    bindControls({ stream: localStream, onleave: leave });
    connection.onadmitted(peers);
  };
  connection.ondenied = () => {
    stopAll(localStream);
    showSection("denied", SECTIONS);
  };
  connection.onerror = (code) => {
    if (call) {
      byId("call-status").textContent = describeError(code);
    } else {
      // Before the call, any refusal ends this attempt: say why, plainly.
      connection.close();
      fail(describeError(code));
    }
  };
  connection.onclose = (expected) => {
    if (!expected) fail(gettext("The connection to the server was lost. Please reload the page to join again."));
  };
  byId("leave-waiting").onclick = leave;
  connection.connect();
}

byId("knock-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId("display-name"));
  const name = input.value.trim();
  if (!name) {
    input.setCustomValidity(gettext("Please enter a name."));
    input.reportValidity();
    return;
  }
  input.setCustomValidity("");
  /** @type {HTMLButtonElement} */ (byId("knock-button")).disabled = true;
  knock(name);
});

preview();
