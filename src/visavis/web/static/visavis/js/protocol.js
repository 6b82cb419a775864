// The room's signalling connection (docs/protocol.md). Holds all connection state and
// never touches the DOM: the page's entry module sets the on<event> callbacks.

import { ReconnectingSocket, parseFrame } from "./socket.js";

export { CLOSE_SERVICE_RESTART, reconnectDelay } from "./socket.js";

/** The protocol versions this client speaks, offered in `hello`; the server picks the
 * highest it speaks too (docs/protocol.md, *Handshake and version*). Version 2 calls the
 * host's list of waiting guests `waiting-room` (version 1: `lobby`). */
export const PROTOCOL_VERSIONS = [2];
/** The newest of them. */
export const PROTOCOL_VERSION = Math.max(...PROTOCOL_VERSIONS);
const MAX_QUEUED_SIGNALS = 200;

/** @typedef {"host" | "guest"} Role */
/** @typedef {{id: string, name: string, role: Role}} Peer */
/** @typedef {{id: string, name: string}} WaitingGuest */
/** @typedef {{counselorPresent: boolean, callFull: boolean}} WaitingInfo */
/** @typedef {"here" | "audio-only" | "two-minutes"} ReplyPreset */
/** @typedef {{id: string, preset: ReplyPreset | null, text: string | null}} WaitingReply */
/**
 * @typedef {{type: "offer" | "answer" | "rollback", sdp?: string}} Description
 * @typedef {{candidate: string, sdpMid?: string | null, sdpMLineIndex?: number | null, usernameFragment?: string | null}} Candidate
 * @typedef {{description?: Description, candidate?: Candidate}} SignalData
 */
/** @typedef {{urls: string[], username?: string, credential?: string}} IceServer */
/**
 * The room's own state, for the host only (docs/protocol.md, *status*).
 * @typedef {{locked: boolean, note: string, ends_at: string, started_at?: string}} RoomStatus
 */
/**
 * One of the counselor's rooms with who waits in it (the watch connection).
 * @typedef {{appointment: string, title: string, url: string, waiting: WaitingGuest[]}} WaitingRoom
 */
/**
 * @typedef {{type: "welcome", version: number, id: string, role: Role, state: string,
 *   max_participants: number, resume: string, resumed: boolean, resume_grace?: number,
 *   ice_transport_policy?: RTCIceTransportPolicy}} Welcome
 */
/**
 * STUN/TURN servers, for participants in the call only; renewed before they expire.
 * @typedef {{type: "ice-servers", ice_servers: IceServer[],
 *   ice_transport_policy?: RTCIceTransportPolicy, expires_at?: string}} IceServers
 */

export class RoomConnection extends ReconnectingSocket {
  /**
   * @param {string} url WebSocket URL of the room endpoint
   * @param {string} room the room token from the link
   */
  constructor(url, room) {
    super(url);
    this.room = room;
    /** @type {string | null} */
    this.id = null;
    /** @type {Role | null} */
    this.role = null;
    /** @type {Welcome | null} */
    this.welcome = null;
    /** The latest STUN/TURN servers (none before entering the call). */
    /** @type {IceServers | null} */
    this.iceServers = null;
    /** The secret that lets this participant resume its place after a drop. */
    /** @type {string | null} */
    this.resumeToken = null;
    /** The first hello of a new page that resumes a saved place (js/resume.js): the
     * others must drop their old media connections to us (docs/protocol.md). */
    this.rejoin = false;
    this.reconnecting = false;
    /** Signals sent while the connection is down, to go out once it is back. */
    /** @type {Record<string, unknown>[]} */
    this.queue = [];

    /** @type {(welcome: Welcome) => void} */
    this.onwelcome = () => {};
    /** Waiting for the host; sent again when what it says changes. */
    /** @type {(info: WaitingInfo) => void} */
    this.onwaiting = () => {};
    /** (Host) everyone in the waiting room now, oldest knock first. */
    /** @type {(waiting: WaitingGuest[]) => void} */
    this.onwaitingroom = () => {};
    /** @type {(peers: Peer[]) => void} */
    this.onadmitted = () => {};
    /** @type {(peer: Peer) => void} */
    this.onjoined = () => {};
    /** @type {(id: string) => void} */
    this.onleft = () => {};
    /** The host turned us away, with their message if they gave one. */
    /** @type {(message: string | null) => void} */
    this.ondenied = () => {};
    /** The host moved us from the call back to the waiting room. */
    /** @type {() => void} */
    this.onsentback = () => {};
    /** The host took us out of the room; the server closes the connection. */
    /** @type {() => void} */
    this.onremoved = () => {};
    /** The host ended the session for everyone; the server closes the connection. */
    /** @type {() => void} */
    this.onended = () => {};
    /** The host's note to the waiting room; "" when there is none any more. */
    /** @type {(text: string) => void} */
    this.onnote = () => {};
    /** (Host) a waiting guest's answer: a prepared one (`preset`) or a short text. */
    /** @type {(reply: WaitingReply) => void} */
    this.onwaitingreply = () => {};
    /** (Host) the room's lock, note and timer. */
    /** @type {(status: RoomStatus) => void} */
    this.onstatus = () => {};
    /** @type {() => void} */
    this.onreplaced = () => {};
    /** New or renewed STUN/TURN servers (see `iceServers`). */
    /** @type {(servers: IceServers) => void} */
    this.oniceservers = () => {};
    /** (Guest) the link was revoked or the appointment cancelled; the server closes. */
    /** @type {() => void} */
    this.onlinkclosed = () => {};
    /** (Counselor) logged out everywhere; the server closes the connection. */
    /** @type {() => void} */
    this.onloggedout = () => {};
    /** @type {(from: string, data: SignalData) => void} */
    this.onsignal = () => {};
    /** @type {(code: string, message: string) => void} */
    this.onerror = () => {};
    /** The server speaks none of our protocol versions (it was upgraded since this page
     * loaded): the connection is closed for good, only reloading the page helps.
     * Gets the versions the server speaks. */
    /** @type {(serverVersions: number[]) => void} */
    this.onoutdated = () => {};
    /** The connection dropped; it is being re-established. */
    /** @type {() => void} */
    this.onreconnecting = () => {};
    /** Back again; `resumed` is false when the server no longer kept our place. */
    /** @type {(resumed: boolean) => void} */
    this.onreconnected = () => {};
    /** Closed for good, by us or because the server ended our part. */
    /** @type {() => void} */
    this.onclose = () => {};
  }

  /** The socket is open: say hello (resuming our place after a drop). */
  opened() {
    /** @type {Record<string, unknown>} */
    const hello = { type: "hello", versions: [...PROTOCOL_VERSIONS], room: this.room };
    if (this.resumeToken) hello.resume = this.resumeToken;
    if (this.resumeToken && this.rejoin) hello.rejoin = true;
    this.send(hello);
  }

  lost() {
    if (!this.reconnecting) {
      this.reconnecting = true;
      this.onreconnecting();
    }
  }

  closed() {
    this.onclose();
  }

  /**
   * Send now; a signal sent while the connection is down goes out once it is back.
   * @param {Record<string, unknown>} message
   * @returns {boolean} whether it went out now
   */
  send(message) {
    if (super.send(message)) return true;
    if (message.type === "signal" && !this.closedByUs && this.queue.length < MAX_QUEUED_SIGNALS) {
      this.queue.push(message);
    }
    return false;
  }

  /** @param {Welcome} welcome */
  gotWelcome(welcome) {
    this.welcome = welcome;
    this.id = welcome.id;
    this.role = welcome.role;
    this.resumeToken = welcome.resume;
    this.rejoin = false;
    const queued = this.queue;
    this.queue = [];
    if (this.reconnecting) {
      this.reconnecting = false;
      this.attempts = 0;
      // Queued signals only make sense to peers who still know us by the same id.
      if (welcome.resumed) queued.forEach((message) => this.send(message));
      this.onreconnected(welcome.resumed);
    }
    this.onwelcome(welcome);
  }

  /** @param {string} name */
  knock(name) { this.send({ type: "knock", name }); }

  /** @param {string} id */
  admit(id) { this.send({ type: "admit", id }); }

  /**
   * @param {string} id
   * @param {string} [message] shown to the guest; leave out for none
   */
  deny(id, message) {
    const text = (message ?? "").trim();
    this.send(text ? { type: "deny", id, message: text } : { type: "deny", id });
  }

  /** @param {string} id a guest in the call, back to the waiting room */
  sendBack(id) { this.send({ type: "send-back", id }); }

  /** @param {string} id a waiting guest or one in the call, out of the room */
  remove(id) { this.send({ type: "remove", id }); }

  /** @param {boolean} locked */
  setLocked(locked) { this.send({ type: locked ? "lock" : "unlock" }); }

  /** @param {string} text the note to the waiting room; "" takes it back */
  note(text) { this.send({ type: "note", text: text.trim() }); }

  /**
   * (Guest, waiting) answer the host: a prepared message or a short text of our own.
   * @param {{preset: ReplyPreset} | {text: string}} reply
   */
  reply(reply) { this.send({ type: "reply", ...reply }); }

  /** End the session for everyone, us included. */
  end() { this.send({ type: "end" }); }

  /**
   * @param {string} to
   * @param {SignalData} data
   */
  signal(to, data) { this.send({ type: "signal", to, data }); }

  /**
   * Leave the room for good.
   * @returns {WebSocket | null} the socket "leave" went out on, to let it flush (js/quickexit.js)
   */
  leave() {
    const socket = this.socket;
    this.send({ type: "leave" });
    this.close();
    return socket;
  }

  close() {
    this.reconnecting = false;
    this.queue = [];
    super.close();
  }

  /** @param {string} text */
  dispatch(text) {
    const message = parseFrame(text);
    if (!message) return;
    switch (message.type) {
      case "welcome": this.gotWelcome(message); break;
      case "waiting":
        this.onwaiting({
          counselorPresent: message.counselor_present === true, callFull: message.call_full === true,
        });
        break;
      case "waiting-room": this.onwaitingroom(message.waiting); break;
      case "admitted": this.onadmitted(message.peers); break;
      case "joined": this.onjoined(message.peer); break;
      case "left": this.onleft(message.id); break;
      case "denied":
        this.closedByUs = true;
        this.ondenied(typeof message.message === "string" ? message.message : null);
        break;
      case "removed":
        this.closedByUs = true;
        this.onremoved();
        break;
      case "ended":
        this.closedByUs = true;
        this.onended();
        break;
      case "sent-back": this.onsentback(); break;
      case "note": this.onnote(String(message.text ?? "")); break;
      case "waiting-reply": {
        const reply = readReply(message);
        if (reply) this.onwaitingreply(reply);
        break;
      }
      case "status": this.onstatus(message); break;
      case "replaced":
        this.closedByUs = true;
        this.onreplaced();
        break;
      case "signal": this.onsignal(message.from, message.data); break;
      case "ice-servers":
        this.iceServers = message;
        this.oniceservers(message);
        break;
      case "link-closed":
        this.closedByUs = true;
        this.onlinkclosed();
        break;
      case "logged-out":
        this.closedByUs = true;
        this.onloggedout();
        break;
      case "error":
        if (message.code === "version") {
          // This page's script is out of date: reconnecting cannot help, reloading can.
          this.close();
          this.onoutdated(Array.isArray(message.versions) ? message.versions : []);
          break;
        }
        // Nothing to come back to: do not keep reconnecting to a room that is gone.
        this.onerror(message.code, message.message);
        if (message.code === "unknown-room") this.close();
        break;
      case "pong": break;
      default: break;
    }
  }
}

/** The prepared answers a waiting guest can give (docs/protocol.md, *reply*). */
export const REPLY_PRESETS = /** @type {const} */ (["here", "audio-only", "two-minutes"]);

/**
 * A `waiting-reply` as the host's page may trust it: a known preset or a text, or null.
 * @param {Record<string, unknown>} message
 * @returns {WaitingReply | null}
 */
export function readReply(message) {
  if (typeof message.id !== "string") return null;
  const preset = REPLY_PRESETS.find((known) => known === message.preset) ?? null;
  const text = typeof message.text === "string" && message.text ? message.text : null;
  if ((preset === null) === (text === null)) return null;
  return { id: message.id, preset, text };
}

/**
 * The WebSocket URL for a path on this page's origin.
 * @param {string} path
 * @param {Location} location
 * @returns {string}
 */
export function socketUrl(path, location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * The counselor's watch connection (docs/protocol.md, *The watch connection*): which of
 * their rooms has someone waiting, live. Reconnects by itself; never touches the DOM.
 */
export class WatchConnection extends ReconnectingSocket {
  /** @param {string} url WebSocket URL of the watch endpoint */
  constructor(url) {
    super(url);
    /** Every room where someone waits, by appointment id. */
    /** @type {Map<string, WaitingRoom>} */
    this.rooms = new Map();
    /** Guest ids seen so far: a guest not among them has just knocked. */
    /** @type {Set<string>} */
    this.seen = new Set();
    this.snapshots = 0;
    /**
     * Called after every change with all rooms, and the rooms where someone new knocked
     * (never for the first snapshot after the page loaded: those were already waiting).
     * @type {(rooms: WaitingRoom[], arrivals: WaitingRoom[]) => void}
     */
    this.onchange = () => {};
    /** The counselor logged out everywhere (the server closes the connection). */
    /** @type {() => void} */
    this.onloggedout = () => {};
  }

  opened() {
    this.attempts = 0;
  }

  /** @param {string} text */
  dispatch(text) {
    const message = parseFrame(text);
    if (!message) return;
    /** @type {WaitingRoom[]} */
    let changed = [];
    if (message.type === "logged-out") {
      // Logged out everywhere: the server closes this connection for good.
      this.closedByUs = true;
      this.onloggedout();
      return;
    }
    if (message.type === "watching" && Array.isArray(message.rooms)) {
      this.rooms = new Map(message.rooms.map((/** @type {WaitingRoom} */ room) => [room.appointment, room]));
      changed = message.rooms;
      this.snapshots += 1;
    } else if (message.type === "waiting-changed" && message.room) {
      /** @type {WaitingRoom} */
      const room = message.room;
      if (room.waiting.length) this.rooms.set(room.appointment, room);
      else this.rooms.delete(room.appointment);
      changed = [room];
    } else {
      return;
    }
    const first = message.type === "watching" && this.snapshots === 1;
    const arrivals = changed.filter((room) => room.waiting.some((guest) => !this.seen.has(guest.id)));
    for (const room of changed) room.waiting.forEach((guest) => this.seen.add(guest.id));
    this.onchange([...this.rooms.values()], first ? [] : arrivals);
  }
}
