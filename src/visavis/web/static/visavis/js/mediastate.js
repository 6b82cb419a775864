// Whether a participant's microphone and camera are on, off or missing, told to the
// others over the data channel ({type: "media-state", mic, camera}), so that the
// counselor sees a muted client, a camera turned off, or a client without devices
// (who is still in the call). No DOM here.

/** @typedef {"on" | "off" | "none"} DeviceState */
/** @typedef {{mic: DeviceState, camera: DeviceState}} MediaState */

const STATES = new Set(["on", "off", "none"]);

/**
 * @param {MediaStream | null} stream
 * @param {"audio" | "video"} kind
 * @returns {DeviceState}
 */
function stateOf(stream, kind) {
  const tracks = stream
    ? stream.getTracks().filter((track) => track.kind === kind && track.readyState !== "ended")
    : [];
  if (!tracks.length) return "none";
  return tracks.some((track) => track.enabled) ? "on" : "off";
}

/**
 * @param {MediaStream | null} stream what this participant sends
 * @returns {MediaState}
 */
export function mediaStateOf(stream) {
  return { mic: stateOf(stream, "audio"), camera: stateOf(stream, "video") };
}

/**
 * @param {MediaStream | null} stream
 * @returns {{type: "media-state", mic: DeviceState, camera: DeviceState}}
 */
export function mediaStateMessage(stream) {
  return { type: "media-state", ...mediaStateOf(stream) };
}

/**
 * The state in a message from another participant, or null if it is not one.
 * @param {{type: string, [key: string]: unknown}} message
 * @returns {MediaState | null}
 */
export function readMediaState(message) {
  if (message.type !== "media-state") return null;
  const { mic, camera } = message;
  if (typeof mic !== "string" || typeof camera !== "string") return null;
  if (!STATES.has(mic) || !STATES.has(camera)) return null;
  return { mic: /** @type {DeviceState} */ (mic), camera: /** @type {DeviceState} */ (camera) };
}

/**
 * What the tile should say, in a stable order; nothing when both are on.
 * @param {MediaState} state
 * @returns {("muted" | "no-mic" | "camera-off" | "no-camera")[]}
 */
export function badgesFor(state) {
  /** @type {("muted" | "no-mic" | "camera-off" | "no-camera")[]} */
  const badges = [];
  if (state.mic === "off") badges.push("muted");
  if (state.mic === "none") badges.push("no-mic");
  if (state.camera === "off") badges.push("camera-off");
  if (state.camera === "none") badges.push("no-camera");
  return badges;
}
