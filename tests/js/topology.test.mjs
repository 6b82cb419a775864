// topology.js: the room page starts every call through createCall, which picks the
// media topology the server names; an unknown name never falls back to another one.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { closeAfterEach, FakeMediaStream, FakeRTCPeerConnection, installFakes } from "./fake-webrtc.mjs";

installFakes();

const { TOPOLOGIES, createCall, topologyOf } = await import("../../src/visavis/web/static/visavis/js/topology.js");
const { MeshCall } = await import("../../src/visavis/web/static/visavis/js/mesh.js");

/** Every member of the interface (topology.js MediaCall) a room page uses. */
const METHODS = [
  "switchTrack", "shareVideo", "setMode", "mediaChanged",
  "sync", "addPeer", "removePeer", "handleSignal", "setRtcConfig", "close",
  "broadcast", "sendTo",
];
const EVENTS = [
  "onpeeradded", "onpeerleft", "onremotemedia", "onpeerstate", "onpeerpath", "onpeercode",
  "onpeerquality", "onsuggestaudio", "onmessage", "onchannelopen",
];

const open = closeAfterEach();

function options(sent = []) {
  return { myId: "c-me", localStream: new FakeMediaStream(), sendSignal: (to, data) => sent.push([to, data]) };
}

describe("topologyOf", () => {
  test("is what the room page's configuration names", () => {
    assert.equal(topologyOf({ topology: "mesh" }), "mesh");
    assert.equal(topologyOf({ topology: "sfu" }), "sfu");
  });

  test("is the peer-to-peer mesh when the configuration names none", () => {
    assert.equal(topologyOf({}), "mesh");
    assert.equal(topologyOf({ topology: "" }), "mesh");
  });
});

describe("createCall", () => {
  test("knows the mesh, and only the mesh so far", () => {
    assert.deepEqual([...TOPOLOGIES], ["mesh"]);
  });

  test('"mesh" starts a peer-to-peer call with the given options', () => {
    const sent = [];
    const call = createCall("mesh", options(sent));
    open.add(call);
    assert.ok(call instanceof MeshCall);
    assert.equal(call.myId, "c-me");
    call.addPeer({ id: "b-alex", name: "Alex", role: "guest" }, true);
    assert.equal(FakeRTCPeerConnection.instances.length, 1, "one peer connection per other participant");
  });

  test("a call of every topology has the whole interface", () => {
    for (const topology of TOPOLOGIES) {
      const call = createCall(topology, options());
      open.add(call);
      for (const name of [...METHODS, ...EVENTS]) {
        assert.equal(typeof call[name], "function", `${topology}: ${name}`);
      }
      assert.ok("localStream" in call, `${topology}: localStream`);
    }
  });

  test("an unknown topology is an error, never a quiet mesh", () => {
    for (const topology of ["sfu", "", "MESH"]) {
      assert.throws(() => createCall(topology, options()), /cannot start a call with the topology/);
    }
    assert.equal(FakeRTCPeerConnection.instances.length, 0);
  });
});
