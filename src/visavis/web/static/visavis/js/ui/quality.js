// Connection quality in the call: a word on each video tile, the numbers in a panel,
// the quality mode chooser, and the offer to switch to audio only.

import { format, gettext } from "../i18n.js";
import { byId } from "./sections.js";

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
  const tile = document.querySelector(`#tiles .tile.remote[data-peer="${CSS.escape(id)}"]`);
  if (tile) {
    let badge = tile.querySelector(".quality");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "quality";
      tile.append(badge);
    }
    badge.setAttribute("data-verdict", verdict);
    badge.textContent = verdictText(verdict);
  }
  const rows = byId("quality-rows");
  let row = /** @type {HTMLTableRowElement | null} */ (rows.querySelector(`tr[data-peer="${CSS.escape(id)}"]`));
  if (!row) {
    row = document.createElement("tr");
    row.dataset.peer = id;
    rows.append(row);
  }
  const cells = [
    name,
    verdictText(verdict),
    number(quality.rttMs, "ms"),
    number(quality.lossPct, "%"),
    number(quality.jitterMs, "ms"),
    number(quality.inKbps, "kbit/s"),
    number(quality.outKbps, "kbit/s"),
  ];
  row.replaceChildren(...cells.map((text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    return cell;
  }));
  byId("connection-details").hidden = false;
}

/** @param {string} id */
export function forgetQuality(id) {
  byId("quality-rows").querySelector(`tr[data-peer="${CSS.escape(id)}"]`)?.remove();
}

/**
 * The quality chooser and the audio-only offer.
 * @param {(mode: Mode) => void} onmode
 * @returns {(name: string, quality: Quality) => void} shows the audio-only offer
 */
export function bindQualityControls(onmode) {
  const select = /** @type {HTMLSelectElement} */ (byId("quality-mode"));
  const suggestion = byId("audio-suggestion");
  select.onchange = () => onmode(/** @type {Mode} */ (select.value));
  byId("switch-to-audio").onclick = () => {
    select.value = "audio";
    suggestion.hidden = true;
    onmode("audio");
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
