// Connection quality in the call: a word on each video tile, the numbers in a panel,
// the quality mode chooser, and the offer to switch to audio only.

import { format, gettext } from "../i18n.js";
import { byId, partOf, peerElement, peerEntry } from "./sections.js";

/** @typedef {import("../stats.js").Quality} Quality */
/** @typedef {import("../stats.js").Verdict} Verdict */
/** @typedef {import("../quality.js").Mode} Mode */

/** @param {Verdict} verdict */
function verdictText(verdict) {
  if (verdict === "stalled") return gettext("No picture");
  if (verdict === "good") return gettext("Connection: good");
  if (verdict === "fair") return gettext("Connection: fair");
  return gettext("Connection: poor");
}

/** @param {import("../peer.js").Voice | undefined} voice */
function voiceText(voice) {
  if (voice === "red") return gettext("Sent twice (RED)");
  if (voice === "fec") return gettext("Error correction (FEC)");
  return "–";
}

/**
 * @param {number | null} value
 * @param {string} unit
 */
function number(value, unit) {
  return value === null ? "–" : `${value} ${unit}`;
}

/**
 * Show the quality of the connection to participant `id`.
 * @param {string} id
 * @param {string} name
 * @param {Quality} quality
 * @param {Verdict} verdict
 */
export function showQuality(id, name, quality, verdict) {
  const tile = peerElement(document, "#tiles .tile.remote", id);
  if (tile) {
    const badge = partOf(tile, "quality");
    badge.setAttribute("data-verdict", verdict);
    badge.textContent = verdictText(verdict);
  }
  const row = peerEntry(byId("quality-rows"), "tr", id);
  const cells = [
    name,
    verdictText(verdict),
    number(quality.rttMs, "ms"),
    number(quality.lossPct, "%"),
    number(quality.jitterMs, "ms"),
    number(quality.inKbps, "kbit/s"),
    number(quality.outKbps, "kbit/s"),
    voiceText(quality.voice),
  ];
  row.replaceChildren(...cells.map((text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    return cell;
  }));
  byId("connection-details").hidden = false;
}

/**
 * Mark the self view while only sound is sent.
 * @param {boolean} on
 */
function showAudioOnly(on) {
  const tile = document.querySelector("#tiles .tile.local");
  if (!tile) return;
  tile.classList.toggle("audio-only", on);
  let badge = tile.querySelector(".mode-badge");
  if (on && !badge) {
    badge = document.createElement("span");
    badge.className = "mode-badge";
    badge.textContent = gettext("Audio only");
    tile.append(badge);
  } else if (!on) {
    badge?.remove();
  }
}

/** @param {string} id */
export function forgetQuality(id) {
  peerElement(byId("quality-rows"), "tr", id)?.remove();
}

/**
 * The quality chooser and the audio-only offer.
 * @param {(mode: Mode) => void} onmode
 * @returns {(name: string, quality: Quality) => void} shows the audio-only offer
 */
export function bindQualityControls(onmode) {
  const select = /** @type {HTMLSelectElement} */ (byId("quality-mode"));
  const suggestion = byId("audio-suggestion");
  let current = /** @type {Mode} */ (select.value);
  /** @param {Mode} mode */
  const choose = (mode) => {
    const was = current;
    current = mode;
    select.dataset.mode = mode;
    showAudioOnly(mode === "audio");
    // Said aloud (the status line is a polite live region) and shown on the self view.
    byId("call-status").textContent = mode === "audio"
      ? gettext("Audio only: your picture is no longer sent. The others still hear you.")
      : was === "audio"
        ? gettext("Your picture is sent again.")
        : format(gettext("Quality: %(mode)s."), { mode: select.selectedOptions[0]?.textContent ?? mode });
    onmode(mode);
  };
  select.onchange = () => choose(/** @type {Mode} */ (select.value));
  byId("switch-to-audio").onclick = () => {
    select.value = "audio";
    suggestion.hidden = true;
    choose("audio");
  };
  byId("keep-video").onclick = () => { suggestion.hidden = true; };
  return (name, quality) => {
    byId("audio-suggestion-text").textContent = format(
      gettext("The connection with %(name)s is weak (delay %(rtt)s, loss %(loss)s). Switching to audio only keeps your voices clear."),
      { name, rtt: number(quality.rttMs, "ms"), loss: number(quality.lossPct, "%") },
    );
    suggestion.hidden = false;
  };
}
