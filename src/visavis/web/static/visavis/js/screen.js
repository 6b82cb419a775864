// Screen sharing: the host may always share; a guest only once the host allows it. The
// permission travels peer to peer over the data channel as a message from the host; a
// guest believes it only from a participant the server lists as host. The screen goes
// out instead of the camera (RTCRtpSender.replaceTrack, no renegotiation) and the camera
// comes back when sharing stops, also when it is stopped from the browser's own bar.
// No DOM here (see ui/controls.js).

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./topology.js").ChannelMessage} ChannelMessage */

/**
 * Whether this browser can share a screen at all (phones mostly cannot).
 * @returns {boolean}
 */
export function canShareScreen() {
  return typeof navigator !== "undefined" && typeof navigator.mediaDevices?.getDisplayMedia === "function";
}

/**
 * Ask the browser for a screen, window or tab to share (it shows its own picker).
 * @returns {Promise<MediaStreamTrack>}
 */
export async function openScreen() {
  const stream = await navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: { ideal: 15, max: 30 } },
    audio: false,
  });
  const track = stream.getVideoTracks()[0];
  // Text and slides matter more than motion: keep them sharp when bandwidth is short.
  if ("contentHint" in track) track.contentHint = "detail";
  return track;
}

/**
 * The permission message the host sends to guests.
 * @param {boolean} allowed
 * @returns {ChannelMessage}
 */
export function permissionMessage(allowed) {
  return { type: "screen-permission", allowed };
}

/**
 * What a screen-sharing message from `peer` means to the receiver. A permission counts
 * only from the host; anything malformed is ignored.
 * @param {Peer} peer
 * @param {ChannelMessage} message
 * @returns {{permission: boolean} | {sharing: boolean} | null}
 */
export function readScreenMessage(peer, message) {
  if (message.type === "screen-permission") {
    if (peer.role !== "host" || typeof message.allowed !== "boolean") return null;
    return { permission: message.allowed };
  }
  if (message.type === "screen" && typeof message.sharing === "boolean") {
    return { sharing: message.sharing };
  }
  return null;
}

export class ScreenShare {
  /**
   * @param {object} options
   * @param {() => boolean} options.isHost whether this participant is the host (asked
   *   when needed: the role arrives with the server's welcome)
   * @param {(track: MediaStreamTrack | null) => Promise<void>} options.shareVideo sends
   *   the screen instead of the camera, or the camera again for null
   * @param {(message: ChannelMessage) => number} options.broadcast
   * @param {() => Promise<MediaStreamTrack>} [options.open]
   */
  constructor({ isHost, shareVideo, broadcast, open = openScreen }) {
    this.isHost = isHost;
    this.shareVideo = shareVideo;
    this.broadcast = broadcast;
    this.open = open;
    /** Set by the host for guests; a guest learns it from the host. */
    this.guestsAllowed = false;
    /** @type {MediaStreamTrack | null} */
    this.track = null;
    this.starting = false;
    /** Something the buttons show changed. */
    /** @type {() => void} */
    this.onchange = () => {};
    /** The host allowed (true) or withdrew (false) a guest's sharing. */
    /** @type {(allowed: boolean) => void} */
    this.onpermission = () => {};
    /** Another participant started or stopped sharing their screen. */
    /** @type {(peer: Peer, sharing: boolean) => void} */
    this.onremotesharing = () => {};
  }

  /** Whether this participant may share now. */
  get allowed() {
    return this.isHost() || this.guestsAllowed;
  }

  get sharing() {
    return this.track !== null;
  }

  /** Ask for a screen and send it. Rejects if the person cancels the browser's picker. */
  async start() {
    if (!this.allowed || this.track || this.starting) return;
    this.starting = true;
    this.onchange();
    try {
      const track = await this.open();
      if (!this.allowed) {
        // The permission went away while the picker was open.
        track.stop();
        return;
      }
      this.track = track;
      track.addEventListener("ended", () => {
        if (this.track === track) this.stop();
      });
      await this.shareVideo(track);
      this.broadcast({ type: "screen", sharing: true });
    } finally {
      this.starting = false;
      this.onchange();
    }
  }

  /** Stop sharing and send the camera again. */
  async stop() {
    const track = this.track;
    if (!track) return;
    this.track = null;
    track.stop();
    this.onchange();
    await this.shareVideo(null);
    this.broadcast({ type: "screen", sharing: false });
  }

  /**
   * The host allows or forbids the guests' sharing, for everyone in the call.
   * @param {boolean} allowed
   */
  setGuestsAllowed(allowed) {
    if (!this.isHost()) return;
    this.guestsAllowed = allowed;
    this.broadcast(permissionMessage(allowed));
    this.onchange();
  }

  /**
   * What someone whose data channel just opened should know from us.
   * @returns {ChannelMessage[]}
   */
  greeting() {
    /** @type {ChannelMessage[]} */
    const messages = [];
    if (this.isHost()) messages.push(permissionMessage(this.guestsAllowed));
    if (this.track) messages.push({ type: "screen", sharing: true });
    return messages;
  }

  /**
   * A message from `peer` over the data channel.
   * @param {Peer} peer
   * @param {ChannelMessage} message
   * @returns {boolean} whether it was about screen sharing
   */
  receive(peer, message) {
    const meaning = readScreenMessage(peer, message);
    if (!meaning) return false;
    if ("sharing" in meaning) {
      this.onremotesharing(peer, meaning.sharing);
      return true;
    }
    if (this.isHost()) return true;
    const changed = this.guestsAllowed !== meaning.permission;
    this.guestsAllowed = meaning.permission;
    if (!meaning.permission && this.track) this.stop();
    if (changed) {
      this.onpermission(meaning.permission);
      this.onchange();
    }
    return true;
  }
}
