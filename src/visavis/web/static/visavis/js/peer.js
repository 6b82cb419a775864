// One RTCPeerConnection to one other participant, negotiated with the "perfect
// negotiation" pattern: either side may make an offer at any time; on a collision
// the polite side yields. No DOM here.

/** @typedef {import("./protocol.js").SignalData} SignalData */
/** @typedef {import("./protocol.js").Candidate} Candidate */
/** @typedef {import("./protocol.js").Description} Description */

import { applyMode, autoVideoCap, capChanged } from "./quality.js";
import { safetyCode } from "./safetycode.js";
import { classify, outgoingEstimate, reportsOf, selectedPair, summarize } from "./stats.js";

const REPAIR_INTERVAL_MS = 1000;
const MEASURE_INTERVAL_MS = 2000;
/** @type {import("./stats.js").Quality} */
const NOTHING_ARRIVES = {
  rttMs: null, lossPct: null, jitterMs: null, inKbps: 0, outKbps: null, stalled: true,
};
const OFFER_RESEND_MS = 5000;
const ICE_RESTART_AFTER_MS = 2500;
const ICE_RESTART_EVERY_MS = 6000;
/** Larger messages on the data channel are dropped unread (a chat line is far smaller). */
export const MAX_CHANNEL_MESSAGE_CHARS = 16384;

/** @typedef {import("./topology.js").ChannelMessage} ChannelMessage */

/**
 * Whether the selected candidate pair goes through a TURN relay.
 * @param {RTCPeerConnection} pc
 * @returns {Promise<"direct" | "relay" | null>}
 */
export async function selectedPath(pc) {
  return pathFrom(await pc.getStats());
}

/**
 * @param {RTCStatsReport} stats
 * @returns {"direct" | "relay" | null}
 */
export function pathFrom(stats) {
  const reports = reportsOf(stats);
  const pair = selectedPair(reports);
  if (!pair) return null;
  const local = reports.find((r) => r.id === pair.localCandidateId);
  const remote = reports.find((r) => r.id === pair.remoteCandidateId);
  return local?.candidateType === "relay" || remote?.candidateType === "relay" ? "relay" : "direct";
}

/**
 * @typedef {"red" | "fec" | null} Voice how the voice we send is protected against lost
 *   packets: redundant copies (RED, where both browsers have it), Opus's own error
 *   correction (FEC: Firefox has no RED), or neither / not negotiated yet
 */

/**
 * How the voice is protected, from the negotiated answer: it lists only the audio
 * formats both sides have, the one both send first. (Chromium's statistics name Opus
 * even while it sends RED, so getStats() cannot tell.)
 * @param {string | undefined} sdp the answer, local or remote
 * @returns {Voice}
 */
export function voiceProtection(sdp) {
  const lines = (sdp ?? "").split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith("m=audio "));
  if (start < 0) return null;
  const end = lines.findIndex((line, i) => i > start && line.startsWith("m="));
  const section = lines.slice(start, end < 0 ? undefined : end);
  const first = section[0].split(" ")[3];
  const name = section.find((line) => line.startsWith(`a=rtpmap:${first} `))?.split(" ")[1] ?? "";
  if (/^red\//i.test(name)) return "red";
  const fmtp = section.find((line) => line.startsWith(`a=fmtp:${first} `)) ?? "";
  if (/^opus\//i.test(name) && /useinbandfec=1/.test(fmtp)) return "fec";
  return null;
}

/**
 * Sound first: losing the voice breaks a session, losing the picture does not. Audio is
 * sent with high priority (the browser's bandwidth allocation and DSCP marking) and with
 * RED redundancy where the browser has it; Opus's in-band FEC is on by default in the
 * browsers and stays on.
 * @param {RTCPeerConnection} pc
 */
export function preferVoice(pc) {
  const capabilities = typeof RTCRtpReceiver !== "undefined" && RTCRtpReceiver.getCapabilities
    ? RTCRtpReceiver.getCapabilities("audio")
    : null;
  const codecs = capabilities?.codecs ?? [];
  const red = codecs.filter((codec) => codec.mimeType.toLowerCase() === "audio/red");
  for (const transceiver of pc.getTransceivers()) {
    const sender = transceiver.sender;
    if (sender.track?.kind !== "audio") continue;
    if (red.length && transceiver.setCodecPreferences) {
      const rest = codecs.filter((codec) => codec.mimeType.toLowerCase() !== "audio/red");
      try {
        transceiver.setCodecPreferences([...red, ...rest]);
      } catch (error) {
        console.warn("visavis: could not prefer RED for audio", error);
      }
    }
    const parameters = sender.getParameters();
    for (const encoding of parameters.encodings ?? []) {
      encoding.priority = "high";
      encoding.networkPriority = "high";
    }
    sender.setParameters(parameters).catch((error) => {
      console.warn("visavis: could not raise audio priority", error);
    });
  }
}

export class PeerLink {
  /**
   * @param {object} options
   * @param {string} options.id the other participant's id
   * @param {boolean} options.polite whether this side yields on an offer collision
   * @param {boolean} options.initiator whether this side makes the first offer; the
   *   other side adds its tracks only when that offer arrives, so that the first
   *   negotiation never collides
   * @param {MediaStream | null} options.localStream tracks to send
   * @param {(data: SignalData) => void} options.sendSignal relays data to the other side
   * @param {RTCConfiguration} [options.rtcConfig]
   * @param {MediaStreamTrack | null} [options.videoOverride] a shared screen to send
   *   instead of the camera
   */
  constructor({ id, polite, initiator, localStream, sendSignal, rtcConfig, videoOverride = null }) {
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
    /** How the media travels once connected: straight between the browsers or relayed. */
    /** @type {(path: "direct" | "relay") => void} */
    this.onpath = () => {};
    /** Connection quality every few seconds while connected (see stats.js). */
    /** @type {(quality: import("./stats.js").Quality, verdict: import("./stats.js").Verdict) => void} */
    this.onquality = () => {};
    /** @type {import("./stats.js").Report[] | null} */
    this.lastReports = null;
    this.lastMeasured = 0;
    /** @type {"direct" | "relay" | null} */
    this.path = null;
    /** @type {import("./quality.js").Mode} */
    this.mode = "auto";
    /** The video cap in place in automatic mode on a thin link, in bit/s. */
    /** @type {number | null} */
    this.videoCap = null;
    /** The safety code, once both session descriptions are known (see safetycode.js). */
    /** @type {(code: string) => void} */
    this.oncode = () => {};
    this.code = "";
    this.offerSentAt = 0;
    this.brokenSince = 0;
    this.lastRestart = 0;
    /** Messages from the other participant over the data channel (chat, screen sharing). */
    /** @type {(message: ChannelMessage) => void} */
    this.onmessage = () => {};
    /** The data channel opened: messages can go out now. */
    /** @type {() => void} */
    this.onchannelopen = () => {};
    /** @type {RTCDataChannel | null} */
    this.channel = null;
    /** What we send instead of the camera (a shared screen), or null. */
    /** @type {MediaStreamTrack | null} */
    this.videoOverride = videoOverride;
    /** @type {Map<string, RTCRtpSender>} */
    this.senders = new Map();

    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", iceServers: [], ...rtcConfig });
    this.pc = pc;
    this.localStream = localStream;
    this.sending = false;
    if (initiator) this.startSending();
    pc.ontrack = ({ track }) => {
      this.remoteStream.addTrack(track);
      this.ontrack(this.remoteStream);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.sendSignal({ candidate: /** @type {Candidate} */ (candidate.toJSON()) });
    };
    pc.onnegotiationneeded = () => this.makeOffer();
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === "connected") {
        this.brokenSince = 0;
        this.reportPath();
        if (this.mode !== "auto") this.setMode(this.mode);
      } else if ((state === "disconnected" || state === "failed") && !this.brokenSince) {
        this.brokenSince = Date.now();
      }
      this.onstatechange(state);
    };
    this.watchdog = setInterval(() => this.repair(), REPAIR_INTERVAL_MS);
    this.monitor = setInterval(() => this.measure(), MEASURE_INTERVAL_MS);
  }

  /** Read the statistics and report the quality since the last reading. */
  async measure() {
    if (this.pc.connectionState !== "connected") {
      // Once measured, a connection that broke off must not keep its last verdict:
      // its picture has stopped.
      if (this.lastReports) this.onquality(NOTHING_ARRIVES, "stalled");
      this.lastReports = null;
      return;
    }
    const stats = await this.pc.getStats();
    // The selected pair may only appear a moment after "connected", and change later.
    this.showPath(pathFrom(stats));
    const reports = reportsOf(stats);
    if (this.mode === "auto") this.fitVideoToLink(outgoingEstimate(reports));
    const now = Date.now();
    if (this.lastReports) {
      const quality = summarize(this.lastReports, reports, (now - this.lastMeasured) / 1000);
      const answer = [this.pc.currentLocalDescription, this.pc.currentRemoteDescription]
        .find((description) => description?.type === "answer");
      quality.voice = voiceProtection(answer?.sdp);
      this.onquality(quality, classify(quality));
    }
    this.lastReports = reports;
    this.lastMeasured = now;
  }

  /**
   * Automatic mode: keep the video under a thin link's estimate, so that the voice
   * keeps its room (quality.js autoVideoCap); lift the cap when the link is good again.
   * @param {number | null} estimate
   */
  fitVideoToLink(estimate) {
    const cap = autoVideoCap(estimate);
    if (!capChanged(this.videoCap, cap)) return;
    this.videoCap = cap;
    applyMode(this.pc, "auto", cap).catch((error) => {
      console.warn("visavis: could not fit the video to the link", error);
    });
  }

  /**
   * Send video as `mode` asks (no renegotiation).
   * @param {import("./quality.js").Mode} mode
   */
  async setMode(mode) {
    this.mode = mode;
    this.videoCap = null; // automatic mode fits the video to the link anew
    try {
      await applyMode(this.pc, mode);
    } catch (error) {
      console.warn("visavis: could not apply the quality mode", error);
    }
  }

  /**
   * Mend what the network broke: restart ICE while the connection stays broken (a new
   * network path may have appeared), and send our offer again if no answer came (the
   * signalling connection may have dropped it).
   */
  repair() {
    const pc = this.pc;
    const now = Date.now();
    if (pc.signalingState === "have-local-offer" && now - this.offerSentAt > OFFER_RESEND_MS) {
      this.sendLocalDescription();
    }
    const broken = this.brokenSince && now - this.brokenSince > ICE_RESTART_AFTER_MS;
    if (broken && pc.signalingState === "stable" && now - this.lastRestart > ICE_RESTART_EVERY_MS) {
      this.lastRestart = now;
      pc.restartIce();
    }
  }

  /**
   * Add our tracks and the data channel to the connection (once), voice first. Both
   * sides create the same pre-negotiated channel, so it needs no message of its own and
   * goes into the first offer and answer along with the media.
   */
  startSending() {
    if (this.sending) return;
    this.sending = true;
    const stream = this.localStream;
    let video = false;
    if (stream) {
      for (const track of stream.getTracks()) {
        const outgoing = track.kind === "video" && this.videoOverride ? this.videoOverride : track;
        video ||= track.kind === "video";
        this.senders.set(track.kind, this.pc.addTrack(outgoing, stream));
      }
    }
    if (!video && this.videoOverride) {
      this.senders.set("video", this.pc.addTrack(this.videoOverride, ...(stream ? [stream] : [])));
    }
    this.openChannel();
    preferVoice(this.pc);
  }

  openChannel() {
    if (this.channel) return;
    const channel = this.pc.createDataChannel("visavis", { negotiated: true, id: 0 });
    this.channel = channel;
    channel.onopen = () => this.onchannelopen();
    channel.onmessage = ({ data }) => {
      if (typeof data !== "string" || data.length > MAX_CHANNEL_MESSAGE_CHARS) return;
      /** @type {unknown} */
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (message && typeof message === "object" && typeof (/** @type {any} */ (message).type) === "string") {
        this.onmessage(/** @type {ChannelMessage} */ (message));
      }
    };
  }

  /**
   * Send `message` to the other participant over the data channel, straight between the
   * browsers (never through the server).
   * @param {ChannelMessage} message
   * @returns {boolean} whether it went out (false while the channel is not open)
   */
  send(message) {
    if (this.channel?.readyState !== "open") return false;
    try {
      this.channel.send(JSON.stringify(message));
      return true;
    } catch (error) {
      console.warn("visavis: could not send on the data channel", error);
      return false;
    }
  }

  /**
   * Send `track` as our `kind` from now on. Swapping the track of an existing sender
   * needs no renegotiation; only a participant who had no camera at all gets a new one.
   * @param {"audio" | "video"} kind
   * @param {MediaStreamTrack | null} track
   */
  async replaceTrack(kind, track) {
    if (!this.sending) return;
    const sender = this.senders.get(kind);
    if (sender) {
      try {
        await sender.replaceTrack(track);
      } catch (error) {
        console.warn("visavis: could not replace a track", error);
      }
    } else if (track) {
      const stream = this.localStream;
      this.senders.set(kind, this.pc.addTrack(track, ...(stream ? [stream] : [])));
      if (this.mode !== "auto") this.setMode(this.mode);
      else this.videoCap = null; // the next measurement fits the new sender to the link
    }
  }

  sendLocalDescription() {
    const local = this.pc.localDescription;
    if (!local) return;
    this.offerSentAt = Date.now();
    this.sendSignal({ description: { type: /** @type {Description["type"]} */ (local.type), sdp: local.sdp } });
  }

  async reportCode() {
    const local = this.pc.localDescription;
    const remote = this.pc.remoteDescription;
    if (!local || !remote) return;
    const code = await safetyCode(local.sdp, remote.sdp);
    if (code && code !== this.code) {
      this.code = code;
      this.oncode(code);
    }
  }

  async reportPath() {
    this.showPath(await selectedPath(this.pc));
  }

  /** @param {"direct" | "relay" | null} path */
  showPath(path) {
    if (path && path !== this.path) {
      this.path = path;
      this.onpath(path);
    }
  }

  async makeOffer() {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
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
        // Our tracks join the transceivers the offer created: no second negotiation.
        this.startSending();
        await pc.setLocalDescription();
        this.sendLocalDescription();
        // Only now do the senders of an answering side have their encodings to raise.
        preferVoice(pc);
      }
      await this.reportCode();
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.ignoreOffer) throw error;
      }
    }
  }

  close() {
    clearInterval(this.watchdog);
    clearInterval(this.monitor);
    this.channel?.close();
    this.pc.close();
  }
}
