// Minimal stand-ins for the browser's MediaStream and RTCPeerConnection, shared by the
// peer.js and mesh.js tests. They record what the code under test does; tests fire
// their event handlers by hand. Not a test file itself (no ".test." in the name).
import { afterEach, beforeEach, mock } from "node:test";

export class FakeMediaStream {
  constructor() {
    this.tracks = [];
  }
  addTrack(track) {
    this.tracks.push(track);
  }
  removeTrack(track) {
    this.tracks = this.tracks.filter((t) => t !== track);
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === "video");
  }
  getTracks() {
    return [...this.tracks];
  }
}

/**
 * A stats report with candidate pairs and candidates, shaped like the browser's
 * RTCStatsReport (a Map from id to report).
 * @param {object[]} reports each with an `id`
 */
export function statsReport(reports) {
  return new Map(reports.map((report) => [report.id, report]));
}

/** A media track: `kind`, `enabled`, and whether it was stopped. */
export class FakeTrack {
  constructor(kind, label = kind) {
    this.kind = kind;
    this.label = label;
    this.enabled = true;
    this.stopped = false;
    this.listeners = new Map();
  }
  stop() {
    this.stopped = true;
  }
  addEventListener(type, listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  /** Test side: the browser ends the track (for a screen: "Stop sharing" in its own UI). */
  end() {
    this.stopped = true;
    for (const listener of this.listeners.get("ended") ?? []) listener();
  }
}

/** A pre-negotiated RTCDataChannel: records what is sent; tests open it and deliver data. */
export class FakeDataChannel {
  constructor(label, options) {
    this.label = label;
    this.options = options;
    this.readyState = "connecting";
    this.sent = [];
    this.onopen = null;
    this.onmessage = null;
  }
  send(data) {
    if (this.readyState !== "open") throw new Error("InvalidStateError");
    this.sent.push(data);
  }
  close() {
    this.readyState = "closed";
  }
  /** Test side: the channel opens. */
  open() {
    this.readyState = "open";
    this.onopen?.();
  }
  /** Test side: data arrives from the other participant. */
  receive(data) {
    this.onmessage?.({ data });
  }
  /** What was sent, parsed. */
  messages() {
    return this.sent.map((data) => JSON.parse(data));
  }
}

export class FakeRTCPeerConnection {
  /** @type {FakeRTCPeerConnection[]} */
  static instances = [];

  constructor(config) {
    this.config = config;
    this.calls = [];
    this.transceivers = [];
    this.closed = false;
    this.signalingState = "stable";
    this.connectionState = "new";
    this.localDescription = null;
    this.remoteDescription = null;
    /** What getStats resolves to; tests replace it. */
    this.stats = new Map();
    this.ontrack = null;
    this.onicecandidate = null;
    this.onnegotiationneeded = null;
    this.onconnectionstatechange = null;
    /** @type {FakeDataChannel[]} */
    this.channels = [];
    FakeRTCPeerConnection.instances.push(this);
  }

  getConfiguration() {
    return { ...this.config };
  }

  /** @param {RTCConfiguration} config */
  setConfiguration(config) {
    this.calls.push(["setConfiguration", config]);
    this.config = config;
  }
  createDataChannel(label, options) {
    const channel = new FakeDataChannel(label, options);
    this.channels.push(channel);
    return channel;
  }
  addTrack(track, stream) {
    this.calls.push(["addTrack", track.kind, stream]);
    const transceiver = {
      codecPreferences: null,
      setCodecPreferences(codecs) { this.codecPreferences = codecs; },
      sender: {
        track,
        parameters: { encodings: [{}] },
        getParameters() { return structuredClone(this.parameters); },
        async setParameters(parameters) { this.parameters = parameters; },
        async replaceTrack(next) { this.track = next; },
      },
    };
    this.transceivers.push(transceiver);
    return transceiver.sender;
  }
  getTransceivers() {
    return this.transceivers;
  }
  getSenders() {
    return this.transceivers.map((transceiver) => transceiver.sender);
  }
  async setRemoteDescription(description) {
    this.calls.push(["setRemoteDescription", description]);
    this.remoteDescription = description;
    this.signalingState = description.type === "offer" ? "have-remote-offer" : "stable";
  }
  async setLocalDescription() {
    const type = this.signalingState === "have-remote-offer" ? "answer" : "offer";
    this.calls.push(["setLocalDescription", type]);
    this.localDescription = { type, sdp: `sdp-${type}` };
    this.signalingState = type === "answer" ? "stable" : "have-local-offer";
  }
  async addIceCandidate(candidate) {
    this.calls.push(["addIceCandidate", candidate]);
  }
  async getStats() {
    return this.stats;
  }
  restartIce() {
    this.calls.push(["restartIce", Date.now()]);
  }
  close() {
    this.closed = true;
    this.calls.push(["close"]);
  }

  /** Test side: the connection state changes, as the browser reports it. */
  setConnectionState(state) {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** The calls named `name`, in order. */
  callsOf(name) {
    return this.calls.filter((call) => call[0] === name);
  }
}

/** Put the fakes on globalThis, where peer.js looks for them. */
export function installFakes() {
  globalThis.MediaStream = /** @type {any} */ (FakeMediaStream);
  globalThis.RTCPeerConnection = /** @type {any} */ (FakeRTCPeerConnection);
}

/** Let pending promise callbacks run (setImmediate is never mocked in these tests). */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For tests that open links or calls: before each test, no fake connections yet and
 * mocked timers and clock; after it, everything the test added to the returned set is
 * closed (a PeerLink's watchdog interval would keep Node alive) and the timers restored.
 * @returns {Set<{close: () => void}>}
 */
export function closeAfterEach() {
  /** @type {Set<{close: () => void}>} */
  const opened = new Set();
  beforeEach(() => {
    FakeRTCPeerConnection.instances = [];
    opened.clear();
    mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
  });
  afterEach(() => {
    for (const thing of opened) thing.close();
    mock.timers.reset();
  });
  return opened;
}
