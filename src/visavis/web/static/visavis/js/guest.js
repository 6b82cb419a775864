// Entry module of the client's room page (the guest link): preview, knock, wait, call.

import { gettext } from "./i18n.js";
import { MediaProblem, describeProblem, openLocalMedia, stopAll } from "./media.js";
import { describeError, openConnection, readConfig, showReconnecting, startCall, syncCall } from "./room.js";
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
async function knock(name) {
  await mediaReady;
  const connection = openConnection(config);
  /** @type {import("./call.js").Call | null} */
  let call = null;
  const leave = () => {
    connection.leave();
    call?.close();
    stopAll(localStream);
    showSection("ended", SECTIONS);
  };
  // After a reconnect the server may no longer know us (state "lobby"): knock again.
  connection.onwelcome = (welcome) => {
    if (welcome.state === "lobby") connection.knock(name);
  };
  connection.onwaiting = () => showSection("waiting", SECTIONS);
  connection.onadmitted = (peers) => {
    showSection("call", SECTIONS);
    if (!call) {
      // The hidden pre-join preview would keep rendering the camera for nothing.
      /** @type {HTMLVideoElement} */ (byId("preview-video")).srcObject = null;
      call = startCall(connection, localStream);
      bindControls({ stream: localStream, onleave: leave });
    }
    syncCall(call, connection, peers);
  };
  connection.ondenied = () => {
    stopAll(localStream);
    showSection("denied", SECTIONS);
  };
  connection.onerror = (code) => {
    if (call) {
      // Negotiation racing a departure is normal and mends itself; say nothing then.
      if (code !== "bad-state" && code !== "no-such-participant") {
        byId("call-status").textContent = describeError(code);
      }
    } else {
      // Before the call, any refusal ends this attempt: say why, plainly. A refused
      // knock means the room's conditions changed (PIN, time); the page explains them.
      connection.close();
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

// Camera and microphone open while the client types their name; knocking waits for them.
const mediaReady = preview();
