// The peer connections of one call: one PeerLink per other participant (full mesh).
// Wires signalling to peers and reports remote media; no DOM here.

import { PeerLink } from "./peer.js";

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./protocol.js").SignalData} SignalData */

export class Call {
  /**
   * @param {object} options
   * @param {string} options.myId this participant's id, assigned by the server
   * @param {MediaStream | null} options.localStream
   * @param {(to: string, data: SignalData) => void} options.sendSignal
   * @param {RTCConfiguration} [options.rtcConfig]
   */
  constructor({ myId, localStream, sendSignal, rtcConfig }) {
    this.myId = myId;
    this.localStream = localStream;
    this.sendSignal = sendSignal;
    this.rtcConfig = rtcConfig;
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** @type {Map<string, Peer>} */
    this.people = new Map();

    /** @type {(peer: Peer, stream: MediaStream) => void} */
    this.onremotemedia = () => {};
    /** @type {(peer: Peer, state: RTCPeerConnectionState) => void} */
    this.onpeerstate = () => {};
    /** @type {(id: string) => void} */
    this.onpeerleft = () => {};
  }

  /** @param {Peer} peer */
  addPeer(peer) {
    if (peer.id === this.myId || this.links.has(peer.id)) return;
    const link = new PeerLink({
      id: peer.id,
      // Any rule both sides compute alike will do; this one needs no extra message.
      polite: this.myId > peer.id,
      localStream: this.localStream,
      sendSignal: (data) => this.sendSignal(peer.id, data),
      rtcConfig: this.rtcConfig,
    });
    link.ontrack = (stream) => this.onremotemedia(peer, stream);
    link.onstatechange = (state) => this.onpeerstate(peer, state);
    this.links.set(peer.id, link);
    this.people.set(peer.id, peer);
  }

  /** @param {string} id */
  removePeer(id) {
    const link = this.links.get(id);
    if (!link) return;
    link.close();
    this.links.delete(id);
    this.people.delete(id);
    this.onpeerleft(id);
  }

  /**
   * @param {string} from
   * @param {SignalData} data
   */
  handleSignal(from, data) {
    const link = this.links.get(from);
    if (link) link.handleSignal(data);
  }

  close() {
    for (const id of [...this.links.keys()]) this.removePeer(id);
  }
}
