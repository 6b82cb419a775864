// Text chat between the participants of a call. Messages go over the calls' data
// channels, straight between the browsers: the server never sees them, nothing stores
// them, and they are gone when the page is. No DOM here (see ui/chat.js).

/** @typedef {import("./protocol.js").Peer} Peer */
/** @typedef {import("./topology.js").ChannelMessage} ChannelMessage */
/** @typedef {{from: string, name: string, text: string, mine: boolean, at: Date}} ChatEntry */

/** The longest message, in characters (the input field says so too). */
export const MAX_CHAT_LENGTH = 1000;

// Control characters other than tab and line feed, and the bidirectional overrides that
// could make a message read differently from what was sent.
const UNWANTED = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text of a message as it may be sent and shown: no control characters, trimmed,
 * at most MAX_CHAT_LENGTH characters. Empty when nothing is left.
 * @param {unknown} text
 * @returns {string}
 */
export function cleanText(text) {
  if (typeof text !== "string") return "";
  return text.replace(/\r\n?/g, "\n").replace(UNWANTED, "").trim();
}

export class Chat {
  /**
   * @param {object} options
   * @param {(message: ChannelMessage) => number} options.broadcast sends to everyone in
   *   the call, returns to how many
   */
  constructor({ broadcast }) {
    this.broadcast = broadcast;
    /** @type {(entry: ChatEntry) => void} */
    this.onentry = () => {};
  }

  /**
   * Send `text` to everyone in the call.
   * @param {string} text
   * @returns {"sent" | "empty" | "too-long" | "nobody"}
   */
  send(text) {
    const clean = cleanText(text);
    if (!clean) return "empty";
    if (clean.length > MAX_CHAT_LENGTH) return "too-long";
    if (!this.broadcast({ type: "chat", text: clean })) return "nobody";
    this.onentry({ from: "", name: "", text: clean, mine: true, at: new Date() });
    return "sent";
  }

  /**
   * A message from `peer` over the data channel; anything but a valid chat message is
   * not for us and is ignored.
   * @param {Peer} peer
   * @param {ChannelMessage} message
   * @returns {boolean} whether it was a chat message that is shown
   */
  receive(peer, message) {
    if (message.type !== "chat") return false;
    const text = cleanText(message.text);
    if (!text || text.length > MAX_CHAT_LENGTH) return false;
    this.onentry({ from: peer.id, name: peer.name, text, mine: false, at: new Date() });
    return true;
  }
}
