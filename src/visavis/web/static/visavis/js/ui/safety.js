// The safety code panel: one code per other participant, to compare aloud.

import { format, gettext } from "../i18n.js";
import { byId, peerElement, peerEntry } from "./sections.js";

/**
 * @param {string} id
 * @param {string} name
 * @param {string} code
 */
export function showSafetyCode(id, name, code) {
  const list = byId("safety-codes");
  const item = peerEntry(list, "li", id);
  item.replaceChildren();
  const label = document.createElement("span");
  label.textContent = format(gettext("With %(name)s:"), { name });
  const value = document.createElement("strong");
  value.className = "code";
  value.textContent = code;
  item.append(label, " ", value);
  byId("safety").hidden = false;
}

/** @param {string} id */
export function removeSafetyCode(id) {
  const list = byId("safety-codes");
  peerElement(list, "li", id)?.remove();
  byId("safety").hidden = list.children.length === 0;
}
