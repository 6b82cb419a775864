// The call's buttons: microphone, camera, leave.

import { savedChoice } from "../devices.js";
import { gettext } from "../i18n.js";
import { hasTrack, openTrack, setEnabled } from "../media.js";
import { byId } from "./sections.js";

/**
 * @param {object} options
 * @param {MediaStream | null} options.stream
 * @param {() => void} options.onleave
 * @param {import("../topology.js").MediaCall} [options.call] lets "Turn camera on" start a camera
 *   for someone who joined without one (camera off on the pre-join page)
 */
export function bindControls({ stream, onleave, call }) {
  const mic = byId("toggle-mic");
  const camera = byId("toggle-camera");
  let micOn = true;
  let cameraOn = hasTrack(stream, "video");
  const render = () => {
    mic.textContent = micOn ? gettext("Mute") : gettext("Unmute");
    mic.setAttribute("aria-pressed", String(!micOn));
    camera.textContent = cameraOn ? gettext("Turn camera off") : gettext("Turn camera on");
    camera.setAttribute("aria-pressed", String(!cameraOn));
  };
  mic.toggleAttribute("disabled", !hasTrack(stream, "audio"));
  camera.toggleAttribute("disabled", !hasTrack(stream, "video") && !call);
  mic.onclick = () => {
    micOn = !micOn;
    setEnabled(stream, "audio", micOn);
    render();
    call?.mediaChanged();
  };
  camera.onclick = async () => {
    if (!hasTrack(call?.localStream ?? stream, "video") && call) {
      // Joined with the camera off: open the chosen camera and send it from now on.
      camera.toggleAttribute("disabled", true);
      try {
        await call.switchTrack(await openTrack("video", savedChoice().videoinput ?? ""));
        cameraOn = true;
        call.mediaChanged();
      } catch {
        byId("call-status").textContent = gettext("Your camera could not be started.");
      }
      camera.toggleAttribute("disabled", false);
      render();
      return;
    }
    cameraOn = !cameraOn;
    setEnabled(call?.localStream ?? stream, "video", cameraOn);
    render();
    call?.mediaChanged();
  };
  byId("hang-up").onclick = onleave;
  render();
}

/**
 * The screen-sharing buttons: "Share screen" for whoever may share, and for the host a
 * switch that lets the guests share.
 * @param {import("../screen.js").ScreenShare} screen
 * @param {object} options
 * @param {boolean} options.supported whether this browser can share a screen at all
 * @param {(text: string) => void} options.say a short, polite status announcement
 */
export function bindScreenControls(screen, { supported, say }) {
  const share = byId("share-screen");
  const allow = byId("allow-screen");
  const render = () => {
    share.hidden = !supported || !screen.allowed;
    share.textContent = screen.sharing ? gettext("Stop sharing") : gettext("Share screen");
    share.setAttribute("aria-pressed", String(screen.sharing));
    share.toggleAttribute("disabled", screen.starting);
    allow.hidden = !screen.isHost();
    allow.setAttribute("aria-pressed", String(screen.guestsAllowed));
  };
  share.onclick = async () => {
    if (screen.sharing) {
      await screen.stop();
      return;
    }
    try {
      await screen.start();
    } catch (error) {
      // Cancelling the browser's picker is a normal choice, not an error to explain.
      const name = error instanceof Error ? error.name : "";
      if (name !== "NotAllowedError" && name !== "AbortError") {
        say(gettext("Your screen could not be shared."));
      }
    }
  };
  allow.onclick = () => screen.setGuestsAllowed(!screen.guestsAllowed);
  screen.onchange = render;
  screen.onpermission = (allowed) => {
    say(allowed
      ? gettext("Your counselor allows you to share your screen.")
      : gettext("Your counselor has turned screen sharing off."));
  };
  render();
  return render;
}

/** Two presses of Escape within this time leave at once. */
const DOUBLE_ESCAPE_MS = 1000;

/** What the quick exit does now: leaving the waiting room differs from leaving a call. */
/** @type {(() => void) | null} */
let quickExitAction = null;
let escapeBound = false;

/**
 * The quick exit: every button of class "quick-exit" on the page (waiting room, call),
 * and Escape pressed twice anywhere. Binding again replaces the action.
 * @param {() => void} onexit
 */
export function bindQuickExit(onexit) {
  quickExitAction = onexit;
  for (const button of document.querySelectorAll("button.quick-exit")) {
    /** @type {HTMLButtonElement} */ (button).onclick = () => quickExitAction?.();
  }
  if (escapeBound) return;
  escapeBound = true;
  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.repeat) return;
    const now = Date.now();
    if (now - lastEscape <= DOUBLE_ESCAPE_MS) {
      quickExitAction?.();
    } else {
      lastEscape = now;
    }
  });
}
