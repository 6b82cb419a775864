// One RTCPeerConnection to one other participant, negotiated with the "perfect
// negotiation" pattern: either side may make an offer at any time; on a collision
// the polite side yields. No DOM here.

/** @typedef {import("./protocol.js").SignalData} SignalData */
/** @typedef {import("./protocol.js").Candidate} Candidate */
/** @typedef {import("./protocol.js").Description} Description */

export class PeerLink {
  /**
   * @param {object} options
   * @param {string} options.id the other participant's id
   * @param {boolean} options.polite whether this side yields on an offer collision
   * @param {MediaStream | null} options.localStream tracks to send
   * @param {(data: SignalData) => void} options.sendSignal relays data to the other side
   * @param {RTCConfiguration} [options.rtcConfig]
   */
  constructor({ id, polite, localStream, sendSignal, rtcConfig }) {
    this.id = id;
    this.polite = polite;
    this.sendSignal = sendSignal;
    this.makingOffer = false;
    this.ignoreOffer = false;
    /** Incoming signals are applied strictly one after another. */
    this.queue = Promise.resolve();
    this.remoteStream = new MediaStream();

    /** @type {(stream: MediaStream) => void} */
    this.ontrack = () => {};
    /** @type {(state: RTCPeerConnectionState) => void} */
    this.onstatechange = () => {};

    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", iceServers: [], ...rtcConfig });
    this.pc = pc;
    if (localStream) {
      for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
    }
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      this.ontrack(this.remoteStream);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.sendSignal({ candidate: /** @type {Candidate} */ (candidate.toJSON()) });
    };
    pc.onnegotiationneeded = () => this.makeOffer();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") pc.restartIce();
      this.onstatechange(pc.connectionState);
    };
  }

  async makeOffer() {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (local) this.sendSignal({ description: { type: /** @type {Description["type"]} */ (local.type), sdp: local.sdp } });
    } catch (error) {
      console.warn("visavis: could not make an offer", error);
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * Apply a description or candidate from the other side, in arrival order.
   * @param {SignalData} data
   * @returns {Promise<void>}
   */
  handleSignal(data) {
    this.queue = this.queue.then(() => this.apply(data)).catch((error) => {
      console.warn("visavis: could not apply a signal", error);
    });
    return this.queue;
  }

  /** @param {SignalData} data */
  async apply({ description, candidate }) {
    const pc = this.pc;
    if (description) {
      const collision =
        description.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(/** @type {RTCSessionDescriptionInit} */ (description));
      if (description.type === "offer") {
        await pc.setLocalDescription();
        const local = pc.localDescription;
        if (local) this.sendSignal({ description: { type: /** @type {Description["type"]} */ (local.type), sdp: local.sdp } });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  close() {
    this.pc.close();
  }
}
