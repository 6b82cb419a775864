// peer.js and mesh.js: the data channel of each connection (chat and screen-sharing
// messages, peer to peer) and swapping outgoing tracks without renegotiation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  closeAfterEach,
  FakeMediaStream,
  FakeRTCPeerConnection,
  FakeTrack,
  installFakes,
  settle,
} from "./fake-webrtc.mjs";

installFakes();

const { PeerLink, MAX_CHANNEL_MESSAGE_CHARS } = await import("../../src/visavis/web/static/visavis/js/peer.js");
const { MeshCall } = await import("../../src/visavis/web/static/visavis/js/mesh.js");

const kim = { id: "b-kim", name: "Kim", role: "guest" };
const sam = { id: "d-sam", name: "Sam", role: "guest" };

const open = closeAfterEach();

function cameraAndMicrophone() {
  const stream = new FakeMediaStream();
  stream.addTrack(new FakeTrack("audio", "mic"));
  stream.addTrack(new FakeTrack("video", "camera"));
  return stream;
}

function makeLink({ initiator = true, localStream = cameraAndMicrophone() } = {}) {
  const link = new PeerLink({ id: "b-kim", polite: false, initiator, localStream, sendSignal: () => {} });
  open.add(link);
  return { link, pc: /** @type {any} */ (link.pc), localStream };
}

function makeCall(localStream = cameraAndMicrophone()) {
  const call = new MeshCall({ myId: "c-me", localStream, sendSignal: () => {} });
  open.add(call);
  return { call, localStream };
}

/** The video sender's track on the connection to `id`. */
function sentVideo(call, id) {
  const pc = /** @type {any} */ (call.links.get(id).pc);
  return pc.transceivers.map((t) => t.sender.track).find((track) => track?.kind === "video");
}

describe("PeerLink data channel", () => {
  test("the newcomer opens one pre-negotiated channel with its first offer", () => {
    const { link, pc } = makeLink();
    link.startSending();
    assert.equal(pc.channels.length, 1);
    assert.deepEqual(pc.channels[0].options, { negotiated: true, id: 0 });
  });

  test("the answering side opens the same channel when the offer arrives, not before", async () => {
    const { link, pc } = makeLink({ initiator: false });
    assert.equal(pc.channels.length, 0);
    await link.handleSignal({ description: { type: "offer", sdp: "v=0" } });
    assert.equal(pc.channels.length, 1);
    assert.deepEqual(pc.channels[0].options, { negotiated: true, id: 0 });
  });

  test("sends JSON once the channel is open, and says whether it did", () => {
    const { link, pc } = makeLink();
    const opened = [];
    link.onchannelopen = () => opened.push(true);
    assert.equal(link.send({ type: "chat", text: "early" }), false);
    pc.channels[0].open();
    assert.deepEqual(opened, [true]);
    assert.equal(link.send({ type: "chat", text: "Hallo" }), true);
    assert.deepEqual(pc.channels[0].messages(), [{ type: "chat", text: "Hallo" }]);
  });

  test("passes on well-formed messages and drops everything else", () => {
    const { link, pc } = makeLink();
    const got = [];
    link.onmessage = (message) => got.push(message);
    const channel = pc.channels[0];
    channel.open();
    channel.receive(JSON.stringify({ type: "chat", text: "ok" }));
    channel.receive("not json");
    channel.receive(JSON.stringify(["chat"]));
    channel.receive(JSON.stringify({ text: "no type" }));
    channel.receive(JSON.stringify("chat"));
    channel.receive(new ArrayBuffer(8));
    channel.receive(JSON.stringify({ type: "chat", text: "x".repeat(MAX_CHANNEL_MESSAGE_CHARS) }));
    assert.deepEqual(got, [{ type: "chat", text: "ok" }]);
  });

  test("closes the channel with the connection", () => {
    const { link, pc } = makeLink();
    link.close();
    open.delete(link);
    assert.equal(pc.channels[0].readyState, "closed");
  });
});

describe("PeerLink.replaceTrack", () => {
  test("swaps the track of the existing sender: no new transceiver", async () => {
    const { link, pc } = makeLink();
    const screen = new FakeTrack("video", "screen:0:0");
    await link.replaceTrack("video", screen);
    assert.equal(pc.transceivers.length, 2);
    assert.equal(pc.transceivers[1].sender.track, screen);
    assert.equal(pc.callsOf("addTrack").length, 2);
  });

  test("adds a video track for someone who joined without a camera", async () => {
    const stream = new FakeMediaStream();
    stream.addTrack(new FakeTrack("audio", "mic"));
    const { link, pc } = makeLink({ localStream: stream });
    const screen = new FakeTrack("video", "screen:0:0");
    await link.replaceTrack("video", screen);
    assert.deepEqual(pc.callsOf("addTrack").map((c) => c[1]), ["audio", "video"]);
  });

  test("before sending, remembers nothing but the override; sending then uses it", async () => {
    const { link, pc } = makeLink({ initiator: false });
    const screen = new FakeTrack("video", "screen:0:0");
    link.videoOverride = screen;
    await link.replaceTrack("video", screen);
    assert.equal(pc.callsOf("addTrack").length, 0);
    await link.handleSignal({ description: { type: "offer", sdp: "v=0" } });
    assert.equal(pc.transceivers.find((t) => t.sender.track.kind === "video").sender.track, screen);
  });
});

describe("MeshCall", () => {
  test("broadcast reaches every open channel and counts them; messages name their sender", () => {
    const { call } = makeCall();
    call.addPeer(kim, true);
    call.addPeer(sam, true);
    const got = [];
    call.onmessage = (peer, message) => got.push([peer.name, message]);
    const opened = [];
    call.onchannelopen = (peer) => opened.push(peer.id);
    const kimChannel = /** @type {any} */ (call.links.get("b-kim").pc).channels[0];
    assert.equal(call.broadcast({ type: "chat", text: "x" }), 0);
    kimChannel.open();
    assert.deepEqual(opened, ["b-kim"]);
    assert.equal(call.broadcast({ type: "chat", text: "y" }), 1);
    assert.equal(call.sendTo("d-sam", { type: "chat", text: "z" }), false);
    kimChannel.receive(JSON.stringify({ type: "chat", text: "Hallo" }));
    assert.deepEqual(got, [["Kim", { type: "chat", text: "Hallo" }]]);
  });

  test("shareVideo sends the screen to everyone, newcomers too, then the camera again", async () => {
    const { call, localStream } = makeCall();
    call.addPeer(kim, true);
    const camera = localStream.getVideoTracks()[0];
    const screen = new FakeTrack("video", "screen:0:0");
    await call.shareVideo(screen);
    assert.equal(sentVideo(call, "b-kim"), screen);
    call.addPeer(sam, true);
    assert.equal(sentVideo(call, "d-sam"), screen);
    await call.shareVideo(null);
    assert.equal(sentVideo(call, "b-kim"), camera);
    assert.equal(sentVideo(call, "d-sam"), camera);
  });

  test("switchTrack replaces the microphone everywhere, keeps it muted, stops the old one", async () => {
    const { call, localStream } = makeCall();
    call.addPeer(kim, true);
    const [oldMic] = localStream.getTracks();
    oldMic.enabled = false;
    const newMic = new FakeTrack("audio", "headset");
    await call.switchTrack(newMic);
    assert.equal(oldMic.stopped, true);
    assert.equal(newMic.enabled, false);
    assert.deepEqual(localStream.getTracks().map((t) => t.label), ["camera", "headset"]);
    const pc = /** @type {any} */ (call.links.get("b-kim").pc);
    assert.equal(pc.transceivers[0].sender.track, newMic);
  });

  test("a new camera during screen sharing waits until sharing stops", async () => {
    const { call } = makeCall();
    call.addPeer(kim, true);
    const screen = new FakeTrack("video", "screen:0:0");
    await call.shareVideo(screen);
    const newCamera = new FakeTrack("video", "camera 2");
    await call.switchTrack(newCamera);
    assert.equal(sentVideo(call, "b-kim"), screen);
    await call.shareVideo(null);
    assert.equal(sentVideo(call, "b-kim"), newCamera);
    await settle();
  });
});
