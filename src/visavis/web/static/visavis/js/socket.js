// A WebSocket that stays up: open, ping every PING_INTERVAL_MS, give up on a socket that
// stayed silent, reconnect with backoff, close for good. Shared by the room's signalling
// connection and the counselor's watch connection (js/protocol.js); it knows nothing of
// their messages. Never touches the DOM.

/** How often the client pings (docs/protocol.md, *ping*); the server's timeouts
 * (rooms/limits.py CLIENT_PING_SECONDS) are derived from the same interval. */
export const PING_INTERVAL_MS = 15000;
/** Silence this long means the connection is dead even if the socket does not know yet. */
export const SILENCE_LIMIT_MS = 40000;
const RECONNECT_DELAYS_MS = [250, 1000, 2000, 4000, 8000];
/** WebSocket close code "service restart": the server is restarting, come back at once. */
export const CLOSE_SERVICE_RESTART = 1012;

/**
 * How long to wait before reconnect attempt number `attempt` (0-based), with jitter so
 * that everyone dropped by a server restart does not come back in the same millisecond.
 * @param {number} attempt
 * @param {number} closeCode
 * @returns {number}
 */
export function reconnectDelay(attempt, closeCode) {
  if (attempt === 0 && closeCode === CLOSE_SERVICE_RESTART) return 100 + Math.random() * 400;
  const base = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
  return base * (0.75 + Math.random() * 0.5);
}

/**
 * A frame from the server as an object; null for anything that is not a JSON object.
 * @param {string} text
 * @returns {any}
 */
export function parseFrame(text) {
  try {
    const message = JSON.parse(text);
    return message && typeof message === "object" ? message : null;
  } catch {
    return null;
  }
}

/**
 * The socket-keeping part of a connection. A subclass speaks the protocol through four
 * hooks: `opened()` (say hello), `dispatch(text)` (a frame from the server), `lost()`
 * (dropped, about to reconnect) and `closed()` (closed for good).
 */
export class ReconnectingSocket {
  /** @param {string} url WebSocket URL of the endpoint */
  constructor(url) {
    this.url = url;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.pinger = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retry = undefined;
    /** Closed by us or ended by the server: no reconnect. */
    this.closedByUs = false;
    /** Reconnect attempts since the connection was last known good (see reconnectDelay). */
    this.attempts = 0;
    this.lastHeard = 0;
  }

  /** Open the socket; after a drop, reconnect by itself until closed. */
  connect() {
    this.closedByUs = false;
    clearTimeout(this.retry);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      this.opened();
      this.pinger = setInterval(() => this.keepAlive(), PING_INTERVAL_MS);
    };
    socket.onmessage = (event) => {
      this.lastHeard = Date.now();
      this.dispatch(String(event.data));
    };
    socket.onclose = (event) => this.dropped(socket, event.code);
  }

  keepAlive() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS && this.socket) {
      // The network vanished without a close: give up on this socket now.
      const socket = this.socket;
      socket.onclose = null;
      socket.onmessage = null;
      socket.close();
      this.dropped(socket, 1006);
      return;
    }
    this.send({ type: "ping" });
  }

  /**
   * @param {WebSocket} socket
   * @param {number} code
   */
  dropped(socket, code) {
    if (this.socket !== socket) return;
    clearInterval(this.pinger);
    this.socket = null;
    if (this.closedByUs) {
      this.closed();
      return;
    }
    this.lost();
    const delay = reconnectDelay(this.attempts, code);
    this.attempts += 1;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  /**
   * Send now if the socket is open.
   * @param {Record<string, unknown>} message
   * @returns {boolean} whether it went out
   */
  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  /** Close for good: no reconnect; `closed()` follows once the socket is gone. */
  close() {
    this.closedByUs = true;
    this.attempts = 0;
    clearInterval(this.pinger);
    clearTimeout(this.retry);
    if (this.socket) this.socket.close();
    else this.closed();
  }

  /** The socket is open (hook). */
  opened() {}

  /**
   * A frame from the server (hook).
   * @param {string} text
   */
  dispatch(text) {}

  /** The socket dropped; a reconnect is scheduled (hook). */
  lost() {}

  /** Closed for good (hook). */
  closed() {}
}
