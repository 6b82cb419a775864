// The call's buttons: microphone, camera, leave.

import { gettext } from "../i18n.js";
import { hasTrack, setEnabled } from "../media.js";
import { byId } from "./sections.js";

/**
 * @param {object} options
 * @param {MediaStream | null} options.stream
 * @param {() => void} options.onleave
 */
export function bindControls({ stream, onleave }) {
  const mic = byId("toggle-mic");
  const camera = byId("toggle-camera");
  let micOn = true;
  let cameraOn = true;
  const render = () => {
    mic.textContent = micOn ? gettext("Mute") : gettext("Unmute");
    mic.setAttribute("aria-pressed", String(!micOn));
    camera.textContent = cameraOn ? gettext("Turn camera off") : gettext("Turn camera on");
    camera.setAttribute("aria-pressed", String(!cameraOn));
  };
  mic.toggleAttribute("disabled", !hasTrack(stream, "audio"));
  camera.toggleAttribute("disabled", !hasTrack(stream, "video"));
  mic.onclick = () => {
    micOn = !micOn;
    setEnabled(stream, "audio", micOn);
    render();
  };
  camera.onclick = () => {
    cameraOn = !cameraOn;
    setEnabled(stream, "video", cameraOn);
    render();
  };
  byId("hang-up").onclick = onleave;
  render();
}
