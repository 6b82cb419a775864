// The client's check before knocking: camera preview, microphone level, test sound,
// choice of devices, camera on or off, and plain guidance when something is blocked.
// It owns the local media stream until guest.js takes it into the call (handOver).

import { listDevices, saveChoice, savedChoice, speakerSelectionSupported } from "../devices.js";
import { gettext } from "../i18n.js";
import { MediaProblem, openLocalMedia, openTrack, stopAll } from "../media.js";
import { currentBrowser, guidanceFor } from "./guidance.js";
import { LevelMeter } from "./meter.js";
import { playTestTone } from "./prejoin-tone.js";
import { byId } from "./sections.js";
import { attach } from "./tiles.js";

/** @typedef {import("../media.js").ProblemKind} ProblemKind */
/** @typedef {import("../devices.js").DeviceInfo} DeviceInfo */

/** Remembered for this tab, so that "Join again" or a reload keeps the camera off. */
const CAMERA_OFF_KEY = "visavis.cameraOff";

/** @returns {boolean} */
function cameraOffSaved() {
  try {
    return globalThis.sessionStorage?.getItem(CAMERA_OFF_KEY) === "1";
  } catch {
    return false;
  }
}

/** @param {boolean} off */
function saveCameraOff(off) {
  try {
    if (off) sessionStorage.setItem(CAMERA_OFF_KEY, "1");
    else sessionStorage.removeItem(CAMERA_OFF_KEY);
  } catch {
    // Storage disabled: the choice holds for this page only.
  }
}

/**
 * @param {unknown} error
 * @returns {ProblemKind}
 */
function kindOf(error) {
  return error instanceof MediaProblem ? error.kind : "other";
}

/**
 * @param {MediaStream | null} stream
 * @param {"audio" | "video"} kind
 * @returns {MediaStreamTrack | null}
 */
function trackOf(stream, kind) {
  return stream?.getTracks().find((track) => track.kind === kind) ?? null;
}

export class Prejoin {
  constructor() {
    /** @type {MediaStream | null} */
    this.stream = null;
    this.cameraOff = cameraOffSaved();
    /** @type {ProblemKind | null} */
    this.problem = null;
    /** The latest media operation; knocking waits for it. */
    /** @type {Promise<void>} */
    this.pending = Promise.resolve();
    this.handedOver = false;
    this.video = /** @type {HTMLVideoElement} */ (byId("preview-video"));
    this.meter = new LevelMeter(byId("mic-meter"));
    this.selects = {
      videoinput: /** @type {HTMLSelectElement} */ (byId("camera-select")),
      audioinput: /** @type {HTMLSelectElement} */ (byId("microphone-select")),
      audiooutput: /** @type {HTMLSelectElement} */ (byId("speaker-select")),
    };
    this.cameraButton = byId("toggle-preview-camera");
    this.bind();
  }

  bind() {
    this.cameraButton.onclick = () => this.run(() => this.setCamera(this.cameraOff));
    byId("media-retry").onclick = () => this.run(() => this.open());
    byId("camera-retry").onclick = () => this.run(() => this.setCamera(true));
    byId("play-test-sound").onclick = () => this.testSound();
    this.selects.videoinput.onchange = () => this.run(() => this.switchDevice("videoinput"));
    this.selects.audioinput.onchange = () => this.run(() => this.switchDevice("audioinput"));
    this.selects.audiooutput.onchange = () => saveChoice("audiooutput", this.selects.audiooutput.value);
    navigator.mediaDevices?.addEventListener?.("devicechange", () => this.refreshDevices());
  }

  /**
   * Run media operations one after another; `settled()` waits for the last.
   * @param {() => Promise<void>} operation
   * @returns {Promise<void>}
   */
  run(operation) {
    this.pending = this.pending.then(() => (this.handedOver ? undefined : operation()));
    return this.pending;
  }

  /** @returns {Promise<void>} */
  start() {
    return this.run(() => this.open());
  }

  /** @returns {Promise<void>} resolves once no media operation is under way */
  settled() {
    return this.pending;
  }

  /** Open camera (unless switched off) and microphone, and show the result. */
  async open() {
    stopAll(this.stream);
    this.stream = null;
    this.showProblem(null);
    try {
      this.stream = await openLocalMedia({ video: !this.cameraOff });
    } catch (error) {
      this.showProblem(kindOf(error));
    }
    this.render();
    await this.refreshDevices();
  }

  /**
   * Switch the camera on (open it again) or off (release it, so its light goes out).
   * @param {boolean} on
   */
  async setCamera(on) {
    this.cameraOff = !on;
    saveCameraOff(!on);
    const stream = this.stream;
    if (!stream) {
      // Nothing open yet (a problem is shown): opening again tries with the new choice.
      if (on) await this.open();
      else this.render();
      return;
    }
    const old = trackOf(stream, "video");
    if (old) {
      old.stop();
      stream.removeTrack(old);
    }
    if (on) {
      try {
        stream.addTrack(await openTrack("video", this.selects.videoinput.value || (savedChoice().videoinput ?? "")));
      } catch (error) {
        if (kindOf(error) === "denied") this.showProblem("denied");
      }
    }
    this.render();
    if (on) await this.refreshDevices();
  }

  /**
   * Use the camera or microphone chosen in its list.
   * @param {"videoinput" | "audioinput"} kind
   */
  async switchDevice(kind) {
    const deviceId = this.selects[kind].value;
    saveChoice(kind, deviceId);
    const trackKind = kind === "videoinput" ? "video" : "audio";
    const stream = this.stream;
    if (!stream || (trackKind === "video" && this.cameraOff)) return;
    // Release the old device first: many phones cannot open two cameras at once.
    const old = trackOf(stream, trackKind);
    if (old) {
      old.stop();
      stream.removeTrack(old);
    }
    try {
      stream.addTrack(await openTrack(trackKind, deviceId));
    } catch (error) {
      console.warn("visavis: could not switch the device", error);
      if (trackKind === "audio") this.showProblem(kindOf(error));
    }
    this.render();
  }

  /** Bring preview, meter and buttons in line with the stream and the choices. */
  render() {
    const stream = this.stream;
    const video = trackOf(stream, "video");
    const audio = trackOf(stream, "audio");
    // Assign afresh: not every browser notices a track added to a playing stream.
    this.video.srcObject = null;
    if (video && stream) attach(this.video, stream);
    byId("preview-off").hidden = !!video;
    // Without a picture, a full-size black box would only push the rest down.
    this.video.parentElement?.classList.toggle("off", !video);
    byId("preview-off").textContent = this.cameraOff
      ? gettext("Your camera is off")
      : gettext("No camera picture");
    this.meter.attach(audio);
    this.cameraButton.textContent = this.cameraOff ? gettext("Turn camera on") : gettext("Turn camera off");
    this.cameraButton.setAttribute("aria-pressed", String(this.cameraOff));
    // The camera could have been opened but was not: missing, busy, or refused alone.
    byId("camera-note").hidden = !stream || this.cameraOff || !!video;
    byId("camera-off-note").hidden = !stream || !!video;
    byId("no-media-note").hidden = !!stream;
    const blocked = this.problem === "unsupported" || this.problem === "insecure";
    /** @type {HTMLButtonElement} */ (byId("knock-button")).disabled = blocked;
  }

  /**
   * Explain a problem with camera and microphone (null hides the explanation).
   * @param {ProblemKind | null} kind
   */
  showProblem(kind) {
    this.problem = kind;
    const box = byId("media-problem");
    box.hidden = kind === null;
    if (kind === null) return;
    const guidance = guidanceFor(kind, currentBrowser());
    byId("media-problem-title").textContent = guidance.title;
    byId("media-problem-text").textContent = guidance.text;
    byId("media-problem-steps").replaceChildren(...guidance.steps.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    // A single step reads better as a sentence than as a list of one.
    byId("media-problem-steps").classList.toggle("single", guidance.steps.length === 1);
    byId("media-retry").hidden = !guidance.retry;
    box.dataset.problem = kind;
  }

  /** Fill the device lists; labels are only known once the browser granted access. */
  async refreshDevices() {
    const devices = await listDevices();
    const chosen = savedChoice();
    const inUse = {
      videoinput: trackOf(this.stream, "video")?.getSettings().deviceId,
      audioinput: trackOf(this.stream, "audio")?.getSettings().deviceId,
      audiooutput: undefined,
    };
    for (const kind of /** @type {const} */ (["videoinput", "audioinput", "audiooutput"])) {
      fillSelect(this.selects[kind], devices[kind], inUse[kind] ?? chosen[kind] ?? "");
    }
    const speakers = speakerSelectionSupported() && devices.audiooutput.length > 0;
    byId("speaker-field").hidden = !speakers;
    byId("speaker-unsupported").hidden = speakers;
  }

  async testSound() {
    const button = /** @type {HTMLButtonElement} */ (byId("play-test-sound"));
    const status = byId("test-sound-status");
    button.disabled = true;
    status.textContent = gettext("Playing a test sound…");
    try {
      const speaker = byId("speaker-field").hidden ? "" : this.selects.audiooutput.value;
      await playTestTone(speaker);
      status.textContent = gettext("Did you hear a short chime? If not, turn up the volume or choose another speaker.");
    } catch (error) {
      console.warn("visavis: could not play the test sound", error);
      status.textContent = gettext("The test sound could not be played in this browser.");
    } finally {
      button.disabled = false;
    }
  }

  /**
   * Give the stream to the call: the preview and the meter stop, the tracks go on.
   * @returns {MediaStream | null}
   */
  handOver() {
    this.handedOver = true;
    this.meter.close();
    this.video.srcObject = null;
    return this.stream;
  }
}

/**
 * @param {HTMLSelectElement} select
 * @param {DeviceInfo[]} devices
 * @param {string} selected
 */
function fillSelect(select, devices, selected) {
  select.replaceChildren(...devices.map((device) => {
    const option = document.createElement("option");
    option.value = device.deviceId;
    option.textContent = device.label;
    return option;
  }));
  if (!devices.length) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = gettext("None found");
    select.append(option);
  }
  select.disabled = devices.length === 0;
  if (devices.some((device) => device.deviceId === selected)) select.value = selected;
}
