// Connection quality from RTCPeerConnection.getStats(): the numbers and a plain verdict.
// Works on plain objects (one per stats report), so it runs without a browser. No DOM.

/**
 * @typedef {{rttMs: number | null, lossPct: number | null, jitterMs: number | null,
 *   inKbps: number | null, outKbps: number | null, stalled?: boolean,
 *   voice?: import("./peer.js").Voice}} Quality
 * @typedef {"good" | "fair" | "poor" | "stalled"} Verdict
 * ("stalled": no picture arrives — no packets at all, or no video frame decoded)
 * @typedef {Record<string, any>} Report
 */

/**
 * Turn a stats map into plain reports.
 * @param {RTCStatsReport} stats
 * @returns {Report[]}
 */
export function reportsOf(stats) {
  /** @type {Report[]} */
  const reports = [];
  stats.forEach((report) => reports.push({ ...report }));
  return reports;
}

/**
 * @param {Report[]} reports
 * @param {string} type
 * @returns {Report[]}
 */
function ofType(reports, type) {
  return reports.filter((report) => report.type === type);
}

/**
 * @param {Report[]} reports
 * @param {string} type
 * @param {string} field
 */
function total(reports, type, field) {
  return ofType(reports, type).reduce((sum, report) => sum + (report[field] ?? 0), 0);
}

/**
 * The candidate pair the connection uses. Chromium names it in the transport report
 * (`selectedCandidatePairId`); Firefox has no transport report and marks the pair
 * `selected: true`; otherwise the nominated pair that succeeded.
 * @param {Report[]} reports
 * @returns {Report | undefined}
 */
export function selectedPair(reports) {
  const transport = ofType(reports, "transport").find((t) => t.selectedCandidatePairId);
  const named = transport && reports.find((r) => r.id === transport.selectedCandidatePairId);
  if (named) return named;
  const pairs = ofType(reports, "candidate-pair");
  return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated && p.state === "succeeded");
}

/**
 * @param {Report[]} reports
 * @returns {number | null} round-trip time of the selected candidate pair, in ms
 */
function roundTrip(reports) {
  const pair = selectedPair(reports);
  return pair && typeof pair.currentRoundTripTime === "number"
    ? Math.round(pair.currentRoundTripTime * 1000)
    : null;
}

/**
 * The browser's estimate of what the link carries outwards, in bit/s (its congestion
 * control's figure, `availableOutgoingBitrate` of the selected pair), if it gives one.
 * @param {Report[]} reports
 * @returns {number | null}
 */
export function outgoingEstimate(reports) {
  const pair = selectedPair(reports);
  return pair && typeof pair.availableOutgoingBitrate === "number" ? pair.availableOutgoingBitrate : null;
}

/**
 * The quality between two snapshots of one connection's stats.
 * @param {Report[]} before
 * @param {Report[]} after
 * @param {number} seconds time between the snapshots
 * @returns {Quality}
 */
export function summarize(before, after, seconds) {
  const received = total(after, "inbound-rtp", "packetsReceived") - total(before, "inbound-rtp", "packetsReceived");
  const lost = total(after, "inbound-rtp", "packetsLost") - total(before, "inbound-rtp", "packetsLost");
  const audio = ofType(after, "inbound-rtp").find((r) => r.kind === "audio");
  const kbps = (/** @type {string} */ type, /** @type {string} */ field) => {
    const bytes = total(after, type, field) - total(before, type, field);
    return seconds > 0 ? Math.round((bytes * 8) / 1000 / seconds) : null;
  };
  const videoIn = ofType(after, "inbound-rtp").some((r) => r.kind === "video");
  const frames = total(after, "inbound-rtp", "framesDecoded") - total(before, "inbound-rtp", "framesDecoded");
  return {
    stalled: received <= 0 || (videoIn && frames <= 0),
    rttMs: roundTrip(after),
    lossPct: received + lost > 0 ? Math.max(0, Math.round((1000 * lost) / (received + lost)) / 10) : null,
    jitterMs: audio && typeof audio.jitter === "number" ? Math.round(audio.jitter * 1000) : null,
    inKbps: kbps("inbound-rtp", "bytesReceived"),
    outKbps: kbps("outbound-rtp", "bytesSent"),
  };
}

/**
 * Good, fair or poor, by the worst of delay, loss and jitter; "stalled" when no picture
 * arrives at all, however good the numbers of what little still comes.
 * @param {Quality} quality
 * @returns {Verdict}
 */
export function classify({ rttMs, lossPct, jitterMs, stalled }) {
  if (stalled) return "stalled";
  const rtt = rttMs ?? 0;
  const loss = lossPct ?? 0;
  const jitter = jitterMs ?? 0;
  if (rtt > 500 || loss > 8 || jitter > 60) return "poor";
  if (rtt > 250 || loss > 2 || jitter > 30) return "fair";
  return "good";
}

/**
 * Whether to suggest audio only: the last verdicts were all poor, for long enough.
 * @param {Verdict[]} verdicts newest last
 * @param {number} [needed]
 * @returns {boolean}
 */
export function suggestAudioOnly(verdicts, needed = 4) {
  return verdicts.length >= needed && verdicts.slice(-needed).every((v) => v === "poor");
}
