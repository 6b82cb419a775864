// The media topology of a call: the one seam between the room page and whatever carries
// the call's media. The room page (room.js, guest.js, host.js, ui/*.js) knows a call only
// as a `MediaCall`, made by `createCall` from the topology the server names in the room
// page's configuration. Today that is always "mesh" (mesh.js: one peer connection to
// every other participant, peer to peer). A call through a media server (SFU) for group
// appointments implements the same interface in a module of its own (e.g. sfu.js) and
// gets its case in `createCall`; nothing else on the page changes. No DOM here.

import { MeshCall } from "./mesh.js";

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./protocol.js").SignalData} SignalData */
/** @typedef {import("./stats.js").Quality} Quality */
/** @typedef {import("./stats.js").Verdict} Verdict */
/** @typedef {import("./quality.js").Mode} Mode */

/**
 * A message between the participants of a call (chat, screen sharing, media state): it
 * travels inside the call's encrypted media connections, never readable on a server.
 * @typedef {{type: string, [key: string]: unknown}} ChannelMessage
 */

/** How the media to a participant travels: straight between the browsers, or through a
 * TURN relay (a media-server call says how it reaches the server).
 * @typedef {"direct" | "relay"} Path */

/**
 * What this participant sends. The call starts with the camera and microphone opened
 * before it; everything else replaces tracks without interrupting it.
 * @typedef {object} CallMedia
 * @property {MediaStream | null} localStream what goes out: the camera and microphone
 *   opened before the call, with the tracks `switchTrack` put in; muting is a track's
 *   `enabled` (followed by `mediaChanged`). Null without camera and microphone.
 * @property {(track: MediaStreamTrack) => Promise<void>} switchTrack send `track` instead
 *   of the current track of its kind (another camera or microphone, or a camera turned on
 *   for the first time); the old one is stopped, the mute state kept
 * @property {(track: MediaStreamTrack | null) => Promise<void>} shareVideo send `track` (a
 *   shared screen) instead of the camera; null sends the camera again
 * @property {(mode: Mode) => Promise<void>} setMode what video goes out from now on
 *   (quality.js: automatic, high, standard, low, audio only)
 * @property {() => void} mediaChanged a track was muted or unmuted: tell everyone
 */

/**
 * Who is in the call, as the room's signalling says; the call makes and drops the media
 * connections that follow from it.
 * @typedef {object} CallMembers
 * @property {(myId: string, peers: Peer[]) => void} sync everyone in the call, on
 *   admission and again after a reconnect; a new `myId` (the server no longer knew us)
 *   starts every connection afresh, an empty list drops them all
 * @property {(peer: Peer) => void} addPeer someone joined the call
 * @property {(id: string) => void} removePeer someone left the call
 * @property {(from: string, data: SignalData) => void} handleSignal a `signal` from the
 *   server (docs/protocol.md), sent by the participant `from`
 * @property {(rtcConfig: RTCConfiguration) => void} setRtcConfig the ICE servers and relay
 *   policy (renewed TURN credentials), for connections made from now on and open ones
 * @property {() => void} close drop every media connection (leaving, ended, removed)
 */

/**
 * Messages to the others, inside the call (see ChannelMessage).
 * @typedef {object} CallMessages
 * @property {(message: ChannelMessage) => number} broadcast send to everyone reachable
 *   now; returns to how many
 * @property {(id: string, message: ChannelMessage) => boolean} sendTo send to one
 *   participant; returns whether it went out
 */

/**
 * What the call reports, per participant: callbacks the room page sets.
 * @typedef {object} CallEvents
 * @property {(peer: Peer) => void} onpeeradded someone is in the call, whether or not any
 *   media from them ever arrives (their tile shows at once)
 * @property {(id: string) => void} onpeerleft someone left: their media, tile, safety
 *   code and quality go
 * @property {(peer: Peer, stream: MediaStream) => void} onremotemedia media from `peer`
 *   arrived or changed
 * @property {(peer: Peer, state: RTCPeerConnectionState) => void} onpeerstate the state of
 *   the connection that carries `peer`'s media
 * @property {(peer: Peer, path: Path) => void} onpeerpath how `peer`'s media travels
 * @property {(peer: Peer, code: string) => void} onpeercode the safety code to compare
 *   aloud with `peer` (safetycode.js)
 * @property {(peer: Peer, quality: Quality, verdict: Verdict) => void} onpeerquality the
 *   connection quality with `peer`, every few seconds (stats.js)
 * @property {(peer: Peer, quality: Quality) => void} onsuggestaudio in automatic mode, the
 *   connection with `peer` stayed poor: offer audio only (once per call)
 * @property {(peer: Peer, message: ChannelMessage) => void} onmessage a message from
 *   `peer`; `peer.role` is the server's word, never the message's
 * @property {(peer: Peer) => void} onchannelopen messages can reach `peer` now: what they
 *   should know (media state, screen sharing) can be sent
 */

/**
 * A call as the room page sees it, whatever carries its media.
 * @typedef {CallMedia & CallMembers & CallMessages & CallEvents} MediaCall
 */

/**
 * What every topology starts a call with.
 * @typedef {object} CallOptions
 * @property {string} myId this participant's id, assigned by the server
 * @property {MediaStream | null} localStream the camera and microphone, if any
 * @property {(to: string, data: SignalData) => void} sendSignal sends a `signal` through
 *   the room's connection
 * @property {RTCConfiguration} [rtcConfig] the ICE settings, if known yet
 */

/** The topologies this page can start a call with. */
export const TOPOLOGIES = Object.freeze(["mesh"]);

/**
 * The topology named in the room page's configuration; a page whose server names none
 * is a peer-to-peer call.
 * @param {{topology?: string}} config
 * @returns {string}
 */
export function topologyOf(config) {
  return config.topology || "mesh";
}

/**
 * Start a call with `topology`. A name this page does not know is an error, never a
 * quiet fallback to another topology: a group session must not become a mesh.
 * @param {string} topology
 * @param {CallOptions} options
 * @returns {MediaCall}
 */
export function createCall(topology, options) {
  switch (topology) {
    case "mesh":
      return new MeshCall(options);
    default:
      throw new Error(`visavis: this page cannot start a call with the topology "${topology}"`);
  }
}
