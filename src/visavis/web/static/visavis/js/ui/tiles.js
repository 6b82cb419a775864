// Video tiles: one for this participant, one per remote participant.

import { format, gettext } from "../i18n.js";
import { badgesFor } from "../mediastate.js";
import { startPlayback } from "../playback.js";
import { partOf } from "./sections.js";

/**
 * @param {HTMLVideoElement} video
 * @param {MediaStream | null} stream
 */
export function attach(video, stream) {
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {});
}

export class Tiles {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {Map<string, HTMLElement>} */
    this.remote = new Map();
    /** A remote participant's video element was created (e.g. to choose its speaker). */
    /** @type {(video: HTMLVideoElement) => void} */
    this.onvideo = () => {};
    /** The browser would only play someone's sound muted until the page is touched. */
    this.onsoundblocked = () => {};
  }

  /** @returns {HTMLVideoElement[]} the elements that play the others' picture and sound */
  remoteVideos() {
    return [...this.remote.values()].flatMap((tile) => [...tile.querySelectorAll("video")]);
  }

  /**
   * Show `stream` for participant `id`, creating the tile on first use.
   * @param {string} id
   * @param {string} name
   * @param {MediaStream} stream
   */
  showRemote(id, name, stream) {
    const video = this.ensure(id, name).querySelector("video");
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    startPlayback(video, () => this.onsoundblocked());
  }

  /**
   * The tile of participant `id`, created empty if there is none yet (someone in the
   * call whose media has not arrived, or who has no camera and microphone).
   * @param {string} id
   * @param {string} name
   * @returns {HTMLElement}
   */
  ensure(id, name) {
    let tile = this.remote.get(id);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile remote";
      tile.dataset.peer = id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      const caption = document.createElement("figcaption");
      caption.textContent = name;
      tile.append(video, caption);
      this.container.prepend(tile);
      this.remote.set(id, tile);
      this.container.dataset.count = String(this.remote.size);
      this.onvideo(video);
    }
    return tile;
  }

  /**
   * Say on the tile of `id` that their microphone is muted or missing, their camera off
   * or missing (told by them over the data channel, see mediastate.js).
   * @param {string} id
   * @param {import("../mediastate.js").MediaState} state
   */
  showMediaState(id, state) {
    const tile = this.remote.get(id);
    if (!tile) return;
    const list = partOf(tile, "media-state");
    const texts = {
      "muted": gettext("Microphone off"),
      "no-mic": gettext("No microphone"),
      "camera-off": gettext("Camera off"),
      "no-camera": gettext("No camera"),
    };
    list.replaceChildren(...badgesFor(state).map((key) => {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.dataset.state = key;
      badge.textContent = texts[key];
      return badge;
    }));
    tile.classList.toggle("no-camera", state.camera !== "on");
  }

  /**
   * Say how the media of participant `id` travels.
   * @param {string} id
   * @param {"direct" | "relay"} path
   */
  showPath(id, path) {
    const tile = this.remote.get(id);
    if (!tile) return;
    const badge = partOf(tile, "path");
    badge.setAttribute("data-path", path);
    badge.textContent = path === "relay"
      ? gettext("Through the server, still encrypted end to end")
      : gettext("Direct connection");
  }

  /**
   * Say whether participant `id` shows their screen instead of their camera.
   * @param {string} id
   * @param {string} name
   * @param {boolean} sharing
   */
  showSharing(id, name, sharing) {
    const tile = this.remote.get(id);
    if (!tile) return;
    tile.classList.toggle("screen", sharing);
    const caption = tile.querySelector("figcaption");
    if (caption) {
      caption.textContent = sharing ? format(gettext("%(name)s (screen)"), { name }) : name;
    }
  }

  /** @param {string} id */
  remove(id) {
    this.remote.get(id)?.remove();
    this.remote.delete(id);
    this.container.dataset.count = String(this.remote.size);
  }

  clear() {
    for (const id of [...this.remote.keys()]) this.remove(id);
  }
}
