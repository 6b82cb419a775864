// Wiring shared by the guest's and the host's room page: the signalling connection,
// the call's peer connections and the video tiles. Entry modules build on this.

import { Call } from "./call.js";
import { gettext } from "./i18n.js";
import { RoomConnection, socketUrl } from "./protocol.js";
import { byId } from "./ui/sections.js";
import { Tiles, attach } from "./ui/tiles.js";

/** @typedef {{room: string, ws: string, maxParticipants: number}} RoomConfig */

/** @returns {RoomConfig} */
export function readConfig() {
  return JSON.parse(byId("room-config").textContent || "{}");
}

/**
 * @param {RoomConfig} config
 * @returns {RoomConnection}
 */
export function openConnection(config) {
  return new RoomConnection(socketUrl(config.ws, window.location), config.room);
}

/**
 * Join the call's media once admitted: create a PeerLink per participant, show their
 * video, and keep the tiles in step with who joins and leaves.
 * @param {RoomConnection} connection
 * @param {MediaStream | null} localStream
 * @returns {Call}
 */
export function startCall(connection, localStream) {
  const tiles = new Tiles(byId("tiles"));
  attach(/** @type {HTMLVideoElement} */ (byId("local-video")), localStream);
  const status = byId("call-status");
  const call = new Call({
    myId: connection.id ?? "",
    localStream,
    sendSignal: (to, data) => connection.signal(to, data),
  });
  call.onremotemedia = (peer, stream) => tiles.showRemote(peer.id, peer.name, stream);
  call.onpeerleft = (id) => tiles.remove(id);
  call.onpeerstate = (peer, state) => {
    if (state === "connected") status.textContent = "";
    else if (state === "disconnected" || state === "failed") {
      status.textContent = gettext("The connection is unstable. Trying to reconnect…");
    }
  };
  connection.onadmitted = (peers) => {
    call.myId = connection.id ?? "";
    for (const peer of peers) call.addPeer(peer);
  };
  connection.onjoined = (peer) => call.addPeer(peer);
  connection.onleft = (id) => call.removePeer(id);
  connection.onsignal = (from, data) => call.handleSignal(from, data);
  return call;
}

/**
 * A translated explanation for an error code from the server (docs/protocol.md).
 * @param {string} code
 * @returns {string}
 */
export function describeError(code) {
  switch (code) {
    case "unknown-room":
      return gettext("This link is no longer valid.");
    case "room-full":
      return gettext("The call is full. Please ask your counselor.");
    case "not-allowed":
      return gettext("Only the host can do this.");
    case "no-such-participant":
      return gettext("This person is no longer waiting.");
    default:
      return gettext("Something went wrong. Please reload the page.");
  }
}
