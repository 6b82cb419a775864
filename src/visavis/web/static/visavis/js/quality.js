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

/**
 * Apply `mode` to the video senders of a connection.
 * @param {RTCPeerConnection} pc
 * @param {Mode} mode
 */
export async function applyMode(pc, mode) {
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
      }
      return next;
    });
    await sender.setParameters(parameters);
  }
}
