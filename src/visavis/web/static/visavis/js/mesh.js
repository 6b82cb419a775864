// The peer-to-peer mesh, the media topology of every call today (topology.js): one
// PeerLink (peer.js) to every other participant, media straight between the browsers.
// Wires signalling to peers and reports remote media; no DOM here.

import { mediaStateMessage } from "./mediastate.js";
import { PeerLink } from "./peer.js";
import { suggestAudioOnly } from "./stats.js";

/** @typedef {import("./stats.js").Quality} Quality */
/** @typedef {import("./stats.js").Verdict} Verdict */
/** @typedef {import("./quality.js").Mode} Mode */

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./protocol.js").SignalData} SignalData */
/** @typedef {import("./topology.js").ChannelMessage} ChannelMessage */
/** @typedef {import("./topology.js").Path} Path */
/** @typedef {import("./topology.js").MediaCall} MediaCall */

const MAX_EARLY_PEERS = 8;
const MAX_EARLY_SIGNALS = 50;

/** @implements {MediaCall} */
export class MeshCall {
  /** @param {import("./topology.js").CallOptions} options */
  constructor({ myId, localStream, sendSignal, rtcConfig }) {
    this.myId = myId;
    this.localStream = localStream;
    this.sendSignal = sendSignal;
    this.rtcConfig = rtcConfig;
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** @type {Map<string, Peer>} */
    this.people = new Map();
    /** Signals from someone we do not know yet (their "joined" may still be on its way). */
    /** @type {Map<string, SignalData[]>} */
    this.early = new Map();

    /** @type {(peer: Peer, stream: MediaStream) => void} */
    this.onremotemedia = () => {};
    /** @type {(peer: Peer, state: RTCPeerConnectionState) => void} */
    this.onpeerstate = () => {};
    /** @type {(id: string) => void} */
    this.onpeerleft = () => {};
    /** Someone is in the call, whether or not any media from them ever arrives. */
    /** @type {(peer: Peer) => void} */
    this.onpeeradded = () => {};
    /** @type {(peer: Peer, path: Path) => void} */
    this.onpeerpath = () => {};
    /** @type {(peer: Peer, code: string) => void} */
    this.onpeercode = () => {};
    /** @type {(peer: Peer, quality: Quality, verdict: Verdict) => void} */
    this.onpeerquality = () => {};
    /** In automatic mode, the connection to `peer` stayed poor: offer audio only. */
    /** @type {(peer: Peer, quality: Quality) => void} */
    this.onsuggestaudio = () => {};
    /** @type {Mode} */
    this.mode = "auto";
    this.suggested = false;
    /** @type {Map<string, Verdict[]>} */
    this.verdicts = new Map();
    /** A message from `peer` over the data channel; `peer.role` is the server's word. */
    /** @type {(peer: Peer, message: ChannelMessage) => void} */
    this.onmessage = () => {};
    /** The data channel to `peer` opened: what they should know can be sent now. */
    /** @type {(peer: Peer) => void} */
    this.onchannelopen = () => {};
    /** The shared screen, sent instead of the camera while set. */
    /** @type {MediaStreamTrack | null} */
    this.screenTrack = null;
  }

  /**
   * New ICE servers (renewed TURN credentials): for peer connections made from now on,
   * and for the open ones, whose next ICE restart then uses them.
   * @param {RTCConfiguration} rtcConfig
   */
  setRtcConfig(rtcConfig) {
    this.rtcConfig = rtcConfig;
    for (const link of this.links.values()) {
      try {
        link.pc.setConfiguration({ ...link.pc.getConfiguration(), ...rtcConfig });
      } catch (error) {
        console.warn("could not renew the ICE servers of a peer connection", error);
      }
    }
  }

  /**
   * Bring the peer connections in line with who is in the call, as the server says
   * on admission and again after a reconnect. A new id for us means the server no
   * longer knew us: every connection starts afresh.
   * @param {string} myId
   * @param {Peer[]} peers
   */
  sync(myId, peers) {
    if (myId !== this.myId) {
      this.close();
      this.myId = myId;
    }
    const present = new Set(peers.map((peer) => peer.id));
    for (const id of [...this.links.keys()]) {
      if (!present.has(id)) this.removePeer(id);
    }
    for (const peer of peers) this.addPeer(peer, true);
  }

  /**
   * Connect to `peer`. The newcomer to a call makes the first offer to everyone already
   * in it (`initiator`); those already in it answer.
   * @param {Peer} peer
   * @param {boolean} [initiator]
   */
  addPeer(peer, initiator = false) {
    if (peer.id === this.myId || this.links.has(peer.id)) return;
    const link = new PeerLink({
      id: peer.id,
      // Any rule both sides compute alike will do; this one needs no extra message.
      polite: this.myId > peer.id,
      initiator,
      localStream: this.localStream,
      sendSignal: (data) => this.sendSignal(peer.id, data),
      rtcConfig: this.rtcConfig,
      videoOverride: this.screenTrack,
    });
    link.ontrack = (stream) => this.onremotemedia(peer, stream);
    link.onstatechange = (state) => this.onpeerstate(peer, state);
    link.onpath = (path) => this.onpeerpath(peer, path);
    link.oncode = (code) => this.onpeercode(peer, code);
    link.onquality = (quality, verdict) => this.gotQuality(peer, quality, verdict);
    link.onmessage = (message) => this.onmessage(peer, message);
    link.onchannelopen = () => this.onchannelopen(peer);
    link.mode = this.mode;
    this.links.set(peer.id, link);
    this.people.set(peer.id, peer);
    this.onpeeradded(peer);
    for (const data of this.early.get(peer.id) ?? []) link.handleSignal(data);
    this.early.delete(peer.id);
  }

  /**
   * @param {Peer} peer
   * @param {Quality} quality
   * @param {Verdict} verdict
   */
  gotQuality(peer, quality, verdict) {
    const history = [...(this.verdicts.get(peer.id) ?? []), verdict].slice(-10);
    this.verdicts.set(peer.id, history);
    this.onpeerquality(peer, quality, verdict);
    if (this.mode === "auto" && !this.suggested && suggestAudioOnly(history)) {
      this.suggested = true;
      this.onsuggestaudio(peer, quality);
    }
  }

  /**
   * What this participant sends to everyone, from now on.
   * @param {Mode} mode
   */
  async setMode(mode) {
    this.mode = mode;
    await Promise.all([...this.links.values()].map((link) => link.setMode(mode)));
  }

  /**
   * Send `message` to everyone in the call over the data channels (peer to peer).
   * @param {ChannelMessage} message
   * @returns {number} how many participants it went to
   */
  broadcast(message) {
    let sent = 0;
    for (const link of this.links.values()) if (link.send(message)) sent += 1;
    return sent;
  }

  /** This participant's microphone or camera was turned on or off: tell everyone. */
  mediaChanged() {
    this.broadcast(mediaStateMessage(this.localStream));
  }

  /**
   * @param {string} id
   * @param {ChannelMessage} message
   * @returns {boolean}
   */
  sendTo(id, message) {
    return this.links.get(id)?.send(message) ?? false;
  }

  /**
   * Send `track` (a shared screen) instead of the camera to everyone, or the camera again
   * when `track` is null. No renegotiation where there is a video sender already.
   * @param {MediaStreamTrack | null} track
   */
  async shareVideo(track) {
    this.screenTrack = track;
    const camera = this.localStream?.getVideoTracks()[0] ?? null;
    await Promise.all([...this.links.values()].map((link) => {
      link.videoOverride = track;
      return link.replaceTrack("video", track ?? camera);
    }));
  }

  /**
   * Use `track` instead of this participant's current track of its kind (another camera
   * or microphone): in the local stream, which keeps the mute state, and on every
   * connection. The old track is stopped.
   * @param {MediaStreamTrack} track
   */
  async switchTrack(track) {
    const kind = /** @type {"audio" | "video"} */ (track.kind);
    const stream = this.localStream;
    if (stream) {
      for (const old of stream.getTracks()) {
        if (old.kind !== kind || old === track) continue;
        track.enabled = old.enabled;
        stream.removeTrack(old);
        old.stop();
      }
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
    }
    if (kind === "video" && this.screenTrack) return;
    await Promise.all([...this.links.values()].map((link) => link.replaceTrack(kind, track)));
  }

  /** @param {string} id */
  removePeer(id) {
    const link = this.links.get(id);
    if (!link) return;
    link.close();
    this.links.delete(id);
    this.people.delete(id);
    this.verdicts.delete(id);
    this.onpeerleft(id);
  }

  /**
   * @param {string} from
   * @param {SignalData} data
   */
  handleSignal(from, data) {
    const link = this.links.get(from);
    if (link) {
      link.handleSignal(data);
    } else if (this.early.size < MAX_EARLY_PEERS) {
      const pending = this.early.get(from) ?? [];
      if (pending.length < MAX_EARLY_SIGNALS) pending.push(data);
      this.early.set(from, pending);
    }
  }

  close() {
    for (const id of [...this.links.keys()]) this.removePeer(id);
    this.early.clear();
  }
}
