// The safety code: a short number both people read aloud to check that their call is
// end-to-end encrypted between exactly their two browsers. It is derived from the DTLS
// certificate fingerprints of both ends as each browser sees them; anyone in between
// (even the server that carries the signalling) would have to present a certificate
// of their own, and the two codes would then differ. No DOM here.

const FINGERPRINT = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m;
const DIGITS = 8;

/**
 * The first DTLS fingerprint of a session description, normalised ("sha-256 AB:CD:…").
 * @param {string} sdp
 * @returns {string | null}
 */
export function fingerprintOf(sdp) {
  const match = FINGERPRINT.exec(sdp);
  return match ? `${match[1].toLowerCase()} ${match[2].toUpperCase()}` : null;
}

/**
 * The safety code for a pair of session descriptions: the same on both ends of an
 * honest connection, whichever side is "local".
 * @param {string} localSdp
 * @param {string} remoteSdp
 * @returns {Promise<string | null>} e.g. "0123 4567", or null without fingerprints
 */
export async function safetyCode(localSdp, remoteSdp) {
  const local = fingerprintOf(localSdp);
  const remote = fingerprintOf(remoteSdp);
  if (!local || !remote) return null;
  const material = new TextEncoder().encode(["visavis-safety-code-v1", ...[local, remote].sort()].join("\n"));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", material));
  // 40 bits of the hash, reduced to 8 decimal digits (26.6 bits; the bias is negligible).
  let value = 0;
  for (let i = 0; i < 5; i += 1) value = value * 256 + digest[i];
  const digits = String(value % 10 ** DIGITS).padStart(DIGITS, "0");
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}
