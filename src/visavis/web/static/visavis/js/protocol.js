// The room's signalling connection (docs/protocol.md). Holds all connection state and
// never touches the DOM: the page's entry module sets the on<event> callbacks.

export const PROTOCOL_VERSION = 1;
const PING_INTERVAL_MS = 20000;

/** @typedef {"host" | "guest"} Role */
/** @typedef {{id: string, name: string, role: Role}} Peer */
/** @typedef {{id: string, name: string}} WaitingGuest */
/**
 * @typedef {{type: "offer" | "answer" | "rollback", sdp?: string}} Description
 * @typedef {{candidate: string, sdpMid?: string | null, sdpMLineIndex?: number | null, usernameFragment?: string | null}} Candidate
 * @typedef {{description?: Description, candidate?: Candidate}} SignalData
 */
/** @typedef {{type: "welcome", version: number, id: string, role: Role, state: string, max_participants: number}} Welcome */

export class RoomConnection {
  /**
   * @param {string} url WebSocket URL of the room endpoint
   * @param {string} room the room token from the link
   */
  constructor(url, room) {
    this.url = url;
    this.room = room;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {string | null} */
    this.id = null;
    /** @type {Role | null} */
    this.role = null;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.pinger = undefined;
    this.closedByUs = false;

    /** @type {(welcome: Welcome) => void} */
    this.onwelcome = () => {};
    /** @type {() => void} */
    this.onwaiting = () => {};
    /** @type {(waiting: WaitingGuest[]) => void} */
    this.onlobby = () => {};
    /** @type {(peers: Peer[]) => void} */
    this.onadmitted = () => {};
    /** @type {(peer: Peer) => void} */
    this.onjoined = () => {};
    /** @type {(id: string) => void} */
    this.onleft = () => {};
    /** @type {() => void} */
    this.ondenied = () => {};
    /** @type {() => void} */
    this.onreplaced = () => {};
    /** @type {(from: string, data: SignalData) => void} */
    this.onsignal = () => {};
    /** @type {(code: string, message: string) => void} */
    this.onerror = () => {};
    /** @type {(expected: boolean) => void} */
    this.onclose = () => {};
  }

  /** Open the socket and say hello. */
  connect() {
    this.closedByUs = false;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.send({ type: "hello", version: PROTOCOL_VERSION, room: this.room });
      this.pinger = setInterval(() => this.send({ type: "ping" }), PING_INTERVAL_MS);
    };
    socket.onmessage = (event) => this.dispatch(String(event.data));
    socket.onclose = () => {
      clearInterval(this.pinger);
      if (this.socket === socket) this.socket = null;
      this.onclose(this.closedByUs);
    };
  }

  /** @param {object} message */
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  /** @param {string} name */
  knock(name) { this.send({ type: "knock", name }); }

  /** @param {string} id */
  admit(id) { this.send({ type: "admit", id }); }

  /** @param {string} id */
  deny(id) { this.send({ type: "deny", id }); }

  /**
   * @param {string} to
   * @param {SignalData} data
   */
  signal(to, data) { this.send({ type: "signal", to, data }); }

  /** Leave the room for good. */
  leave() {
    this.send({ type: "leave" });
    this.close();
  }

  close() {
    this.closedByUs = true;
    clearInterval(this.pinger);
    if (this.socket) this.socket.close();
  }

  /** @param {string} text */
  dispatch(text) {
    /** @type {any} */
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "welcome":
        this.id = message.id;
        this.role = message.role;
        this.onwelcome(message);
        break;
      case "waiting": this.onwaiting(); break;
      case "lobby": this.onlobby(message.waiting); break;
      case "admitted": this.onadmitted(message.peers); break;
      case "joined": this.onjoined(message.peer); break;
      case "left": this.onleft(message.id); break;
      case "denied":
        this.closedByUs = true;
        this.ondenied();
        break;
      case "replaced":
        this.closedByUs = true;
        this.onreplaced();
        break;
      case "signal": this.onsignal(message.from, message.data); break;
      case "error": this.onerror(message.code, message.message); break;
      case "pong": break;
      default: break;
    }
  }
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
