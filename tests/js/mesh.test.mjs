// mesh.js: one PeerLink per other participant. peer.js needs RTCPeerConnection and
// MediaStream, so minimal fakes (fake-webrtc.mjs) go on globalThis before the modules
// are imported. Every PeerLink runs a watchdog interval: the timers are mocked, and
// every call a test made is closed afterwards, so no real interval keeps Node alive.
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";

import {
  closeAfterEach,
  FakeMediaStream,
  FakeRTCPeerConnection,
  installFakes,
  settle,
  statsReport,
} from "./fake-webrtc.mjs";

installFakes();

const { MeshCall } = await import("../../src/visavis/web/static/visavis/js/mesh.js");

const alex = { id: "b-alex", name: "Alex", role: "guest" };
const sam = { id: "d-sam", name: "Sam", role: "guest" };
const host = { id: "a-host", name: "Dr. Host", role: "host" };

/** @type {InstanceType<typeof MeshCall>[]} */
const calls = closeAfterEach();

/** A MeshCall for participant "c-me" that records what it sends and reports. */
function makeCall(options = {}) {
  const sent = [];
  const events = [];
  const call = new MeshCall({
    myId: "c-me",
    localStream: null,
    sendSignal: (to, data) => sent.push([to, data]),
    ...options,
  });
  calls.add(call);
  call.onremotemedia = (peer, stream) => events.push(["remotemedia", peer.id, stream]);
  call.onpeerstate = (peer, state) => events.push(["peerstate", peer.id, state]);
  call.onpeerleft = (id) => events.push(["peerleft", id]);
  call.onpeerpath = (peer, path) => events.push(["peerpath", peer.id, path]);
  return { call, sent, events };
}

/** The fake RTCPeerConnection behind the link to `id`. */
function pcOf(call, id) {
  const link = call.links.get(id);
  assert.ok(link, `no link to ${id}`);
  return /** @type {FakeRTCPeerConnection} */ (link.pc);
}


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

  test("as the newcomer, sends the local tracks at once and passes the RTC configuration on", () => {
    const local = new FakeMediaStream();
    local.addTrack({ kind: "audio" });
    local.addTrack({ kind: "video" });
    const iceServers = [{ urls: "turn:turn.example:3478", username: "u", credential: "c" }];
    const { call } = makeCall({ localStream: local, rtcConfig: { iceServers } });
    call.addPeer(alex, true);
    const pc = pcOf(call, "b-alex");
    assert.deepEqual(pc.config, { bundlePolicy: "max-bundle", iceServers });
    assert.deepEqual(pc.calls, [
      ["addTrack", "audio", local],
      ["addTrack", "video", local],
    ]);
  });

  test("already in the call, adds the local tracks only when the newcomer's offer arrives", async () => {
    const local = new FakeMediaStream();
    local.addTrack({ kind: "audio" });
    const { call } = makeCall({ localStream: local });
    call.addPeer(alex);
    const pc = pcOf(call, "b-alex");
    assert.deepEqual(pc.calls.filter((c) => c[0] === "addTrack"), []);
    await call.links.get("b-alex").handleSignal({ description: { type: "offer", sdp: "v=0" } });
    assert.deepEqual(pc.calls.filter((c) => c[0] === "addTrack"), [["addTrack", "audio", local]]);
  });

  test("keeps signals from a peer it does not know yet until the peer is added", async () => {
    const { call } = makeCall();
    call.handleSignal("b-alex", { description: { type: "offer", sdp: "v=0" } });
    call.addPeer(alex);
    await call.links.get("b-alex").queue;
    const pc = pcOf(call, "b-alex");
    assert.ok(pc.calls.some((c) => c[0] === "setRemoteDescription"), JSON.stringify(pc.calls));
    assert.equal(call.early.size, 0);
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

describe("onpeerpath", () => {
  test("reports how the media travels to the peer once connected", async () => {
    const { call, events } = makeCall();
    call.addPeer(alex);
    call.addPeer(sam);
    const pc = pcOf(call, "d-sam");
    pc.stats = statsReport([
      { id: "T", type: "transport", selectedCandidatePairId: "P" },
      { id: "P", type: "candidate-pair", localCandidateId: "L", remoteCandidateId: "R" },
      { id: "L", type: "local-candidate", candidateType: "host" },
      { id: "R", type: "remote-candidate", candidateType: "relay" },
    ]);
    pc.setConnectionState("connected");
    await settle();
    assert.deepEqual(events, [["peerstate", "d-sam", "connected"], ["peerpath", "d-sam", "relay"]]);
  });
});

describe("sync", () => {
  test("adds the peers it does not have yet and keeps the ones it has", () => {
    const { call, events } = makeCall();
    call.sync("c-me", [alex]);
    const alexLink = call.links.get("b-alex");
    call.sync("c-me", [alex, sam, host]);
    assert.deepEqual([...call.links.keys()].sort(), ["a-host", "b-alex", "d-sam"]);
    assert.equal(call.links.get("b-alex"), alexLink, "the existing link is kept");
    assert.equal(pcOf(call, "b-alex").closed, false);
    assert.equal(FakeRTCPeerConnection.instances.length, 3);
    assert.deepEqual(call.people.get("a-host"), host);
    assert.deepEqual(events, []);
  });

  test("the same peers again change nothing", () => {
    const { call, events } = makeCall();
    call.sync("c-me", [alex, sam]);
    const before = new Map(call.links);
    call.sync("c-me", [sam, alex]);
    assert.deepEqual(call.links, before);
    assert.equal(FakeRTCPeerConnection.instances.length, 2);
    assert.ok(FakeRTCPeerConnection.instances.every((pc) => !pc.closed));
    assert.deepEqual(events, []);
  });

  test("removes and closes the links to peers who are no longer there", () => {
    const { call, events } = makeCall();
    call.sync("c-me", [alex, sam, host]);
    const samPc = pcOf(call, "d-sam");
    const hostPc = pcOf(call, "a-host");
    call.sync("c-me", [alex]);
    assert.deepEqual([...call.links.keys()], ["b-alex"]);
    assert.deepEqual([...call.people.keys()], ["b-alex"]);
    assert.equal(samPc.closed, true);
    assert.equal(hostPc.closed, true);
    assert.equal(pcOf(call, "b-alex").closed, false);
    assert.deepEqual(events.map((e) => e.join(" ")).sort(), ["peerleft a-host", "peerleft d-sam"]);
  });

  test("an empty list closes every link", () => {
    const { call } = makeCall();
    call.sync("c-me", [alex, sam]);
    call.sync("c-me", []);
    assert.equal(call.links.size, 0);
    assert.ok(FakeRTCPeerConnection.instances.every((pc) => pc.closed));
  });

  test("skips this participant's own entry", () => {
    const { call } = makeCall();
    call.sync("c-me", [{ id: "c-me", name: "Me", role: "guest" }, alex]);
    assert.deepEqual([...call.links.keys()], ["b-alex"]);
  });

  test("with a different own id closes everything first and starts afresh", () => {
    const { call, events } = makeCall();
    call.sync("c-me", [alex, sam]);
    const [oldAlex, oldSam] = FakeRTCPeerConnection.instances;
    const oldAlexLink = call.links.get("b-alex");
    call.sync("a-new", [alex, host]);
    assert.equal(call.myId, "a-new");
    assert.equal(oldAlex.closed, true, "even a peer who is still there gets a new connection");
    assert.equal(oldSam.closed, true);
    assert.deepEqual([...call.links.keys()].sort(), ["a-host", "b-alex"]);
    assert.notEqual(call.links.get("b-alex"), oldAlexLink);
    assert.equal(pcOf(call, "b-alex").closed, false);
    assert.equal(FakeRTCPeerConnection.instances.length, 4);
    assert.deepEqual(events, [["peerleft", "b-alex"], ["peerleft", "d-sam"]]);
    // Politeness follows the new id: "a-new" < "b-alex", "a-new" > "a-host".
    assert.equal(call.links.get("b-alex").polite, false);
    assert.equal(call.links.get("a-host").polite, true);
  });

  test("with a different own id, outgoing signals of the new links still reach their peer", () => {
    const { call, sent } = makeCall();
    call.sync("c-me", [alex]);
    call.sync("a-new", [alex]);
    const candidate = { candidate: "candidate:3", sdpMid: "0" };
    pcOf(call, "b-alex").onicecandidate({ candidate: { toJSON: () => candidate } });
    assert.deepEqual(sent, [["b-alex", { candidate }]]);
  });
});

describe("watchdog", () => {
  test("closing the call stops every link's repairs", () => {
    const { call, sent } = makeCall();
    call.sync("c-me", [alex, sam]);
    const pcs = [...FakeRTCPeerConnection.instances];
    for (const pc of pcs) pc.setConnectionState("failed");
    call.close();
    mock.timers.tick(60000);
    assert.deepEqual(pcs.map((pc) => pc.callsOf("restartIce").length), [0, 0]);
    assert.deepEqual(sent, []);
  });

  test("a link removed by sync stops its repairs, the others go on", () => {
    const { call } = makeCall();
    call.sync("c-me", [alex, sam]);
    const [alexPc, samPc] = FakeRTCPeerConnection.instances;
    alexPc.setConnectionState("failed");
    samPc.setConnectionState("failed");
    call.sync("c-me", [sam]);
    mock.timers.tick(10000);
    assert.equal(alexPc.callsOf("restartIce").length, 0);
    assert.ok(samPc.callsOf("restartIce").length >= 1);
  });
});

describe("setRtcConfig", () => {
  test("renewed ICE servers go to open peer connections and to new ones", () => {
    const { call } = makeCall({ rtcConfig: { iceServers: [] } });
    call.addPeer(alex);
    const renewed = { iceServers: [{ urls: ["turn:t:3478"], username: "2:c-me", credential: "b" }] };
    call.setRtcConfig(renewed);
    assert.deepEqual(pcOf(call, "b-alex").config.iceServers, renewed.iceServers);
    assert.equal(pcOf(call, "b-alex").config.bundlePolicy, "max-bundle", "the rest is kept");
    call.addPeer(sam);
    assert.deepEqual(pcOf(call, "d-sam").config.iceServers, renewed.iceServers);
  });
});
