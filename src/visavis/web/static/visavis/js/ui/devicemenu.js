// The device menu of a call: another camera, microphone or (where the browser can)
// speaker, switched without interrupting the call (RTCRtpSender.replaceTrack).

import { listDevices, saveChoice, savedChoice, setSpeaker, speakerSelectionSupported } from "../devices.js";
import { gettext } from "../i18n.js";
import { MediaProblem, describeProblem, openTrack } from "../media.js";
import { byId } from "./sections.js";

/** @typedef {import("../topology.js").MediaCall} MediaCall */
/** @typedef {import("../devices.js").DeviceInfo} DeviceInfo */

/**
 * The id of the device `stream`'s track of `kind` comes from, if any.
 * @param {MediaStream | null} stream
 * @param {"audio" | "video"} kind
 * @returns {string}
 */
function currentDevice(stream, kind) {
  const track = stream?.getTracks().find((t) => t.kind === kind);
  return track?.getSettings?.().deviceId ?? "";
}

/**
 * @param {HTMLSelectElement} select
 * @param {DeviceInfo[]} devices
 * @param {string} selected
 */
function fill(select, devices, selected) {
  select.replaceChildren();
  for (const device of devices) {
    const option = document.createElement("option");
    option.value = device.deviceId;
    option.textContent = device.label;
    option.selected = device.deviceId === selected;
    select.append(option);
  }
}

/**
 * @param {object} options
 * @param {MediaCall} options.call
 * @param {import("./tiles.js").Tiles} options.tiles
 */
export function bindDeviceMenu({ call, tiles }) {
  const toggle = byId("toggle-devices");
  const menu = byId("device-menu");
  const camera = /** @type {HTMLSelectElement} */ (byId("call-camera-select"));
  const microphone = /** @type {HTMLSelectElement} */ (byId("call-microphone-select"));
  const speaker = /** @type {HTMLSelectElement} */ (byId("call-speaker-select"));
  const speakerField = byId("call-speaker-field");
  const problem = byId("device-problem");
  const speakers = speakerSelectionSupported();
  let speakerId = speakers ? savedChoice().audiooutput ?? "" : "";

  /** @param {string} text */
  const showProblem = (text) => {
    problem.textContent = text;
    problem.hidden = !text;
  };

  const refresh = async () => {
    const devices = await listDevices();
    const stream = call.localStream;
    fill(camera, devices.videoinput, currentDevice(stream, "video"));
    fill(microphone, devices.audioinput, currentDevice(stream, "audio"));
    camera.closest(".field")?.toggleAttribute("hidden", devices.videoinput.length === 0);
    microphone.closest(".field")?.toggleAttribute("hidden", devices.audioinput.length === 0);
    speakerField.hidden = !speakers || devices.audiooutput.length === 0;
    if (!speakerField.hidden) {
      if (!speakerId || !devices.audiooutput.some((d) => d.deviceId === speakerId)) {
        speakerId = devices.audiooutput[0]?.deviceId ?? "";
      }
      fill(speaker, devices.audiooutput, speakerId);
    }
  };

  /** @param {boolean} open */
  const setOpen = (open) => {
    menu.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) refresh();
  };
  toggle.onclick = () => setOpen(menu.hidden);
  byId("close-devices").onclick = () => {
    setOpen(false);
    toggle.focus();
  };
  // Without any camera or microphone there is nothing to switch.
  toggle.hidden = !call.localStream;
  navigator.mediaDevices?.addEventListener?.("devicechange", () => {
    if (!menu.hidden) refresh();
  });

  /**
   * @param {"audio" | "video"} kind
   * @param {HTMLSelectElement} select
   */
  const switchTo = async (kind, select) => {
    showProblem("");
    const deviceId = select.value;
    if (!deviceId || deviceId === currentDevice(call.localStream, kind)) return;
    select.disabled = true;
    try {
      const track = await openTrack(kind, deviceId);
      await call.switchTrack(track);
      saveChoice(kind === "audio" ? "audioinput" : "videoinput", deviceId);
    } catch (error) {
      showProblem(describeProblem(error instanceof MediaProblem ? error.kind : "other"));
      select.value = currentDevice(call.localStream, kind);
    } finally {
      select.disabled = false;
    }
  };
  camera.onchange = () => switchTo("video", camera);
  microphone.onchange = () => switchTo("audio", microphone);
  speaker.onchange = async () => {
    speakerId = speaker.value;
    saveChoice("audiooutput", speakerId);
    const results = await Promise.all(tiles.remoteVideos().map((video) => setSpeaker(video, speakerId)));
    if (results.includes(false)) showProblem(gettext("The sound could not be switched to this speaker."));
  };
  // New participants' sound goes to the chosen speaker too.
  tiles.onvideo = (video) => {
    if (speakerId) setSpeaker(video, speakerId);
  };
}
