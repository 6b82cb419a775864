// call.js: one PeerLink per other participant. peer.js needs RTCPeerConnection and
// MediaStream, so minimal fakes go on globalThis before the modules are imported.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

class FakeMediaStream {
  constructor() {
    this.tracks = [];
  }
  addTrack(track) {
    this.tracks.push(track);
  }
  getTracks() {
    return [...this.tracks];
  }
}

/** Records what PeerLink does to it; tests fire its event handlers by hand. */
class FakeRTCPeerConnection {
  /** @type {FakeRTCPeerConnection[]} */
  static instances = [];

  constructor(config) {
    this.config = config;
    this.calls = [];
    this.closed = false;
    this.signalingState = "stable";
    this.connectionState = "new";
    this.localDescription = null;
    this.remoteDescription = null;
    this.ontrack = null;
    this.onicecandidate = null;
    this.onnegotiationneeded = null;
    this.onconnectionstatechange = null;
    FakeRTCPeerConnection.instances.push(this);
  }
  addTrack(track, stream) {
    this.calls.push(["addTrack", track.kind, stream]);
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
  restartIce() {
    this.calls.push(["restartIce"]);
  }
  close() {
    this.closed = true;
    this.calls.push(["close"]);
  }
}

globalThis.MediaStream = FakeMediaStream;
globalThis.RTCPeerConnection = FakeRTCPeerConnection;

const { Call } = await import("../../src/visavis/web/static/visavis/js/call.js");

const alex = { id: "b-alex", name: "Alex", role: "guest" };
const sam = { id: "d-sam", name: "Sam", role: "guest" };
const host = { id: "a-host", name: "Dr. Host", role: "host" };

/** A Call for participant "c-me" that records what it sends and reports. */
function makeCall(options = {}) {
  const sent = [];
  const events = [];
  const call = new Call({
    myId: "c-me",
    localStream: null,
    sendSignal: (to, data) => sent.push([to, data]),
    ...options,
  });
  call.onremotemedia = (peer, stream) => events.push(["remotemedia", peer.id, stream]);
  call.onpeerstate = (peer, state) => events.push(["peerstate", peer.id, state]);
  call.onpeerleft = (id) => events.push(["peerleft", id]);
  return { call, sent, events };
}

/** The fake RTCPeerConnection behind the link to `id`. */
function pcOf(call, id) {
  const link = call.links.get(id);
  assert.ok(link, `no link to ${id}`);
  return /** @type {FakeRTCPeerConnection} */ (link.pc);
}

beforeEach(() => {
  FakeRTCPeerConnection.instances = [];
});

describe("addPeer", () => {
  test("creates one link and one connection per other participant", () => {
    const { call } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    assert.deepEqual([...call.links.keys()], ["b-alex", "d-sam"]);
    assert.deepEqual([...call.people.values()], [alex, sam]);
    assert.equal(FakeRTCPeerConnection.instances.length, 2);
    assert.equal(call.links.get("b-alex").id, "b-alex");
    assert.notEqual(pcOf(call, "b-alex"), pcOf(call, "d-sam"));
  });

  test("ignores this participant's own id", () => {
    const { call } = makeCall();
    call.addPeer({ id: "c-me", name: "Me", role: "guest" });
    assert.equal(call.links.size, 0);
    assert.equal(call.people.size, 0);
    assert.equal(FakeRTCPeerConnection.instances.length, 0);
  });

  test("ignores a participant it already has", () => {
    const { call } = makeCall();
    call.addPeer(alex);
    const link = call.links.get("b-alex");
    call.addPeer({ ...alex, name: "Alex again" });
    assert.equal(call.links.size, 1);
    assert.equal(call.links.get("b-alex"), link);
    assert.equal(call.people.get("b-alex").name, "Alex");
    assert.equal(FakeRTCPeerConnection.instances.length, 1);
  });

  test("is polite exactly towards participants with a smaller id", () => {
    const { call } = makeCall();
    call.addPeer(alex); // "c-me" > "b-alex"
    call.addPeer(sam); // "c-me" < "d-sam"
    call.addPeer(host); // "c-me" > "a-host"
    assert.equal(call.links.get("b-alex").polite, true);
    assert.equal(call.links.get("d-sam").polite, false);
    assert.equal(call.links.get("a-host").polite, true);
  });

  test("both sides of a pair agree that exactly one is polite", () => {
    const one = makeCall({ myId: "b-alex" }).call;
    const other = makeCall({ myId: "d-sam" }).call;
    one.addPeer(sam);
    other.addPeer(alex);
    assert.notEqual(one.links.get("d-sam").polite, other.links.get("b-alex").polite);
  });

  test("sends the local tracks and passes the RTC configuration on", () => {
    const local = new FakeMediaStream();
    local.addTrack({ kind: "audio" });
    local.addTrack({ kind: "video" });
    const iceServers = [{ urls: "turn:turn.example:3478", username: "u", credential: "c" }];
    const { call } = makeCall({ localStream: local, rtcConfig: { iceServers } });
    call.addPeer(alex);
    const pc = pcOf(call, "b-alex");
    assert.deepEqual(pc.config, { bundlePolicy: "max-bundle", iceServers });
    assert.deepEqual(pc.calls, [
      ["addTrack", "audio", local],
      ["addTrack", "video", local],
    ]);
  });

  test("reports remote media and connection state with the peer", () => {
    const { call, events } = makeCall();
    call.addPeer(alex);
    const pc = pcOf(call, "b-alex");
    pc.ontrack({ track: { kind: "video" } });
    const stream = call.links.get("b-alex").remoteStream;
    assert.deepEqual(events, [["remotemedia", "b-alex", stream]]);
    assert.deepEqual(stream.tracks, [{ kind: "video" }]);
    pc.connectionState = "connected";
    pc.onconnectionstatechange();
    assert.deepEqual(events.at(-1), ["peerstate", "b-alex", "connected"]);
  });

  test("addresses the link's outgoing signals to its peer", () => {
    const { call, sent } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    const candidate = { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0" };
    pcOf(call, "d-sam").onicecandidate({ candidate: { toJSON: () => candidate } });
    pcOf(call, "d-sam").onicecandidate({ candidate: null });
    assert.deepEqual(sent, [["d-sam", { candidate }]]);
  });
});

describe("handleSignal", () => {
  test("passes a candidate to the link of the sender only", async () => {
    const { call } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    const candidate = { candidate: "candidate:2", sdpMid: "0", sdpMLineIndex: 0 };
    call.handleSignal("d-sam", { candidate });
    await call.links.get("d-sam").queue;
    assert.deepEqual(pcOf(call, "d-sam").calls, [["addIceCandidate", candidate]]);
    assert.deepEqual(pcOf(call, "b-alex").calls, []);
  });

  test("answers an offer to the sender", async () => {
    const { call, sent } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    const offer = { type: "offer", sdp: "sdp-from-alex" };
    call.handleSignal("b-alex", { description: offer });
    await call.links.get("b-alex").queue;
    assert.deepEqual(pcOf(call, "b-alex").calls, [
      ["setRemoteDescription", offer],
      ["setLocalDescription", "answer"],
    ]);
    assert.deepEqual(sent, [["b-alex", { description: { type: "answer", sdp: "sdp-answer" } }]]);
    assert.deepEqual(pcOf(call, "d-sam").calls, []);
  });

  test("ignores signals from someone without a link", () => {
    const { call, sent } = makeCall();
    call.addPeer(alex);
    assert.doesNotThrow(() => call.handleSignal("x-stranger", { candidate: { candidate: "c" } }));
    assert.deepEqual(pcOf(call, "b-alex").calls, []);
    assert.deepEqual(sent, []);
  });
});

describe("removePeer", () => {
  test("closes the link, forgets the peer and reports onpeerleft", () => {
    const { call, events } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    const pc = pcOf(call, "b-alex");
    call.removePeer("b-alex");
    assert.equal(pc.closed, true);
    assert.equal(pcOf(call, "d-sam").closed, false);
    assert.deepEqual([...call.links.keys()], ["d-sam"]);
    assert.deepEqual([...call.people.keys()], ["d-sam"]);
    assert.deepEqual(events, [["peerleft", "b-alex"]]);
  });

  test("does nothing for an unknown id", () => {
    const { call, events } = makeCall();
    call.addPeer(alex);
    call.removePeer("x-stranger");
    assert.equal(call.links.size, 1);
    assert.deepEqual(events, []);
  });

  test("a peer can be added again after leaving", () => {
    const { call } = makeCall();
    call.addPeer(alex);
    call.removePeer("b-alex");
    call.addPeer(alex);
    assert.equal(call.links.size, 1);
    assert.equal(FakeRTCPeerConnection.instances.length, 2);
    assert.equal(pcOf(call, "b-alex"), FakeRTCPeerConnection.instances[1]);
  });
});

describe("close", () => {
  test("removes and closes every link", () => {
    const { call, events } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    call.addPeer(host);
    call.close();
    assert.equal(call.links.size, 0);
    assert.equal(call.people.size, 0);
    assert.deepEqual(FakeRTCPeerConnection.instances.map((pc) => pc.closed), [true, true, true]);
    assert.deepEqual(events, [["peerleft", "b-alex"], ["peerleft", "d-sam"], ["peerleft", "a-host"]]);
  });

  test("on an empty call does nothing", () => {
    const { call, events } = makeCall();
    call.close();
    assert.deepEqual(events, []);
  });
});
