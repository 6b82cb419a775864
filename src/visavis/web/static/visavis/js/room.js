// Wiring shared by the guest's and the host's room page: the signalling connection,
// the call (through its media topology, topology.js) and the video tiles. Entry modules
// build on this.

import { Chat } from "./chat.js";
import { gettext } from "./i18n.js";
import { mediaStateMessage, readMediaState } from "./mediastate.js";
import { resumeSound } from "./playback.js";
import { RoomConnection, socketUrl } from "./protocol.js";
import { quickExit } from "./quickexit.js";
import { ScreenShare, canShareScreen } from "./screen.js";
import { createCall, topologyOf } from "./topology.js";
import { bindChat } from "./ui/chat.js";
import { bindQuickExit, bindScreenControls } from "./ui/controls.js";
import { bindDeviceMenu } from "./ui/devicemenu.js";
import { bindQualityControls, forgetQuality, showQuality } from "./ui/quality.js";
import { removeSafetyCode, showSafetyCode } from "./ui/safety.js";
import { byId } from "./ui/sections.js";
import { Tiles, attach } from "./ui/tiles.js";

/** @typedef {import("./topology.js").MediaCall} MediaCall */
/**
 * The room page's configuration (web/views/shared.py room_config); `topology` names the
 * call's media topology (topology.js).
 * @typedef {{room: string, ws: string, maxParticipants: number, topology?: string}} RoomConfig
 */

/** @returns {RoomConfig} */
export function readConfig() {
  return JSON.parse(byId("room-config").textContent || "{}");
}

/**
 * @param {RoomConfig} config
 * @returns {RoomConnection}
 */
export function openConnection(config) {
  keepSessionAlive();
  return new RoomConnection(socketUrl(config.ws, window.location), config.room);
}

/** Every few minutes, renew the session's idle timer (session_idle_minutes): a long call
 * loads no pages, and a reconnect after it must still find the counselor logged in (host)
 * and the client's PIN and privacy-notice consent in place. */
const KEEP_ALIVE_MS = 5 * 60 * 1000;
let keepingAlive = false;
function keepSessionAlive() {
  if (keepingAlive) return;
  keepingAlive = true;
  window.setInterval(() => {
    fetch("/accounts/alive/", { credentials: "same-origin", cache: "no-store" }).catch(() => {});
  }, KEEP_ALIVE_MS);
}

/**
 * Set up the call's media in the room's topology (the peers follow in syncCall), their
 * video, and tiles kept in step with who joins and leaves.
 * @param {RoomConfig} config
 * @param {RoomConnection} connection
 * @param {MediaStream | null} localStream
 * @returns {MediaCall}
 */
export function startCall(config, connection, localStream) {
  const tiles = new Tiles(byId("tiles"));
  attach(/** @type {HTMLVideoElement} */ (byId("local-video")), localStream);
  const status = byId("call-status");
  const call = createCall(topologyOf(config), {
    myId: connection.id ?? "",
    localStream,
    sendSignal: (to, data) => connection.signal(to, data),
  });
  call.onremotemedia = (peer, stream) => tiles.showRemote(peer.id, peer.name, stream);
  // Sound the browser would not start without a touch: one button turns it on.
  const soundOn = byId("sound-on");
  tiles.onsoundblocked = () => { soundOn.hidden = false; };
  soundOn.onclick = async () => {
    soundOn.hidden = await resumeSound(tiles.remoteVideos());
  };
  // A tile as soon as someone is in the call: a client without camera and microphone is
  // there too, and must not look absent.
  call.onpeeradded = (peer) => tiles.ensure(peer.id, peer.name);
  call.onpeerleft = (id) => {
    tiles.remove(id);
    removeSafetyCode(id);
    forgetQuality(id);
  };
  call.onpeerquality = (peer, quality, verdict) => showQuality(peer.id, peer.name, quality, verdict);
  const suggestAudio = bindQualityControls((mode) => call.setMode(mode));
  call.onsuggestaudio = (peer, quality) => suggestAudio(peer.name, quality);
  call.onpeercode = (peer, code) => showSafetyCode(peer.id, peer.name, code);
  call.onpeerstate = (peer, state) => {
    if (state === "connected") status.textContent = "";
    else if (state === "disconnected" || state === "failed") {
      status.textContent = gettext("The connection is unstable. Trying to reconnect…");
    }
  };
  call.onpeerpath = (peer, path) => tiles.showPath(peer.id, path);
  connection.onjoined = (peer) => {
    call.addPeer(peer);
    renderScreen();
  };
  connection.onleft = (id) => call.removePeer(id);
  connection.onsignal = (from, data) => call.handleSignal(from, data);

  // The tools inside the call: chat and screen sharing as messages inside the call
  // (never readable on the server), and the quick exit.
  const chat = new Chat({ broadcast: (message) => call.broadcast(message) });
  bindChat(chat);
  const screen = new ScreenShare({
    isHost: () => isHost(connection),
    shareVideo: (track) => call.shareVideo(track),
    broadcast: (message) => call.broadcast(message),
  });
  const renderScreen = bindScreenControls(screen, {
    supported: canShareScreen(),
    say: (text) => { status.textContent = text; },
  });
  screen.onremotesharing = (peer, sharing) => tiles.showSharing(peer.id, peer.name, sharing);
  call.onmessage = (peer, message) => {
    const media = readMediaState(message);
    if (media) tiles.showMediaState(peer.id, media);
    else if (!chat.receive(peer, message)) screen.receive(peer, message);
  };
  call.onchannelopen = (peer) => {
    call.sendTo(peer.id, mediaStateMessage(call.localStream));
    for (const message of screen.greeting()) call.sendTo(peer.id, message);
    renderScreen();
  };
  bindDeviceMenu({ call, tiles });
  bindQuickExit(() => leaveCallAtOnce(connection, call, localStream, screen));
  return call;
}

/**
 * Whether this participant is the host: the server's welcome says so; until it has come,
 * the page says which side of the room this is.
 * @param {RoomConnection} connection
 * @returns {boolean}
 */
function isHost(connection) {
  if (connection.role) return connection.role === "host";
  return document.body.classList.contains("host");
}

/**
 * Leave at once: nothing of the call stays visible, camera and microphone stop, the
 * connections close, the others learn that we left, and a neutral page replaces this one
 * in the history (Back does not return to the call; see js/quickexit.js).
 * @param {RoomConnection} connection
 * @param {MediaCall} call
 * @param {MediaStream | null} localStream
 * @param {ScreenShare} screen
 */
export function leaveCallAtOnce(connection, call, localStream, screen) {
  quickExit({
    streams: [localStream, call.localStream],
    tracks: [screen.track],
    leave: () => {
      call.close();
      return connection.leave();
    },
  });
}

/**
 * Connect to everyone the server says is in the call (on admission and after a
 * reconnect), with the latest ICE servers; renewed servers go to the open media
 * connections too.
 * @param {MediaCall} call
 * @param {RoomConnection} connection
 * @param {import("./protocol.js").Peer[]} peers
 */
export function syncCall(call, connection, peers) {
  call.setRtcConfig(rtcConfiguration(connection.iceServers, connection.welcome));
  connection.oniceservers = (servers) => {
    call.setRtcConfig(rtcConfiguration(servers, connection.welcome));
  };
  call.sync(connection.id ?? "", peers);
}

/**
 * The browser's ICE settings: the servers and TURN credentials of the latest
 * `ice-servers` (none before it), the relay policy.
 * @param {import("./protocol.js").IceServers | null} servers
 * @param {import("./protocol.js").Welcome | null} [welcome]
 * @returns {RTCConfiguration}
 */
export function rtcConfiguration(servers, welcome = null) {
  return {
    iceServers: servers?.ice_servers ?? [],
    iceTransportPolicy: servers?.ice_transport_policy ?? welcome?.ice_transport_policy ?? "all",
  };
}

/**
 * Show "reconnecting…" for as long as the signalling connection is down, and "please
 * reload the page" instead when the server no longer speaks this page's protocol.
 * @param {RoomConnection} connection
 * @param {() => void} onplacelost called when the server no longer kept our place
 */
export function showReconnecting(connection, onplacelost) {
  const banner = byId("reconnecting");
  connection.onreconnecting = () => { banner.hidden = false; };
  connection.onreconnected = (resumed) => {
    banner.hidden = true;
    if (!resumed) onplacelost();
  };
  connection.onclose = () => { banner.hidden = true; };
  connection.onoutdated = () => {
    banner.hidden = true;
    const notice = byId("reload-notice");
    notice.hidden = false;
    byId("reload-page").onclick = () => window.location.reload();
  };
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
