// Quality modes: what this participant sends, set through sender parameters so that
// no renegotiation is needed. "auto" leaves it to the browser's bandwidth estimation.

/** @typedef {"auto" | "high" | "standard" | "low" | "audio"} Mode */

/** @type {Record<Exclude<Mode, "auto" | "audio">, {maxBitrate: number, scaleResolutionDownBy: number, maxFramerate: number}>} */
export const VIDEO_LIMITS = {
  high: { maxBitrate: 2_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 },
  standard: { maxBitrate: 800_000, scaleResolutionDownBy: 1.5, maxFramerate: 24 },
  low: { maxBitrate: 250_000, scaleResolutionDownBy: 2.5, maxFramerate: 15 },
};

/**
 * Encoding parameters of the video sender for `mode`.
 * @param {Mode} mode
 * @returns {RTCRtpEncodingParameters}
 */
export function videoEncoding(mode) {
  if (mode === "audio") return { active: false };
  if (mode === "auto") return { active: true };
  return { active: true, ...VIDEO_LIMITS[mode] };
}

// Sound first on a thin link. The browser shares its estimate of the link between voice
// and video, but the voice's redundancy (RED: each audio frame sent twice, ~25 kbit/s)
// comes on top, so on a link of a few hundred kbit/s voice and video together overfill
// it, the bottleneck's queue fills and the voice is delayed and lost with the video.
// In automatic mode, below THIN_LINK_BPS the video is kept VOICE_RESERVE_BPS under the
// estimate (bench/impaired.py --rate 300 measures it).
export const THIN_LINK_BPS = 600_000;
export const VOICE_RESERVE_BPS = 60_000;
export const MIN_VIDEO_BPS = 50_000;

/**
 * The video bit rate cap for automatic mode: none on a good link.
 * @param {number | null} estimate the link's outgoing estimate in bit/s (stats.js)
 * @returns {number | null}
 */
export function autoVideoCap(estimate) {
  if (estimate === null || !(estimate < THIN_LINK_BPS)) return null;
  return Math.max(MIN_VIDEO_BPS, Math.round(estimate - VOICE_RESERVE_BPS));
}

/**
 * Whether a new cap differs enough from the one in place to set it (a tenth, or on/off).
 * @param {number | null} current
 * @param {number | null} next
 */
export function capChanged(current, next) {
  if (current === null || next === null) return current !== next;
  return Math.abs(next - current) > current / 10;
}

/**
 * Apply `mode` to the video senders of a connection; in automatic mode, `cap` (bit/s)
 * limits the video if given (see autoVideoCap).
 * @param {RTCPeerConnection} pc
 * @param {Mode} mode
 * @param {number | null} [cap]
 */
export async function applyMode(pc, mode, cap = null) {
  const wanted = videoEncoding(mode);
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== "video") continue;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) continue;
    parameters.encodings = parameters.encodings.map((encoding) => {
      /** @type {RTCRtpEncodingParameters} */
      const next = { ...encoding, ...wanted };
      if (mode === "auto") {
        delete next.maxBitrate;
        delete next.maxFramerate;
        next.scaleResolutionDownBy = 1;
        if (cap !== null) next.maxBitrate = cap;
      }
      return next;
    });
    await sender.setParameters(parameters);
  }
}
