// The host's list of guests in the waiting room.

/** @typedef {import("../protocol.js").WaitingGuest} WaitingGuest */

/**
 * @param {WaitingGuest[]} waiting
 * @param {object} actions
 * @param {(id: string) => void} actions.onadmit
 * @param {(id: string) => void} actions.ondeny
 */
export function renderLobby(waiting, { onadmit, ondeny }) {
  const list = document.getElementById("lobby");
  const template = document.getElementById("lobby-entry");
  const empty = document.getElementById("lobby-empty");
  if (!list || !(template instanceof HTMLTemplateElement)) return;
  list.replaceChildren();
  for (const guest of waiting) {
    const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true));
    const entry = /** @type {HTMLElement} */ (fragment.firstElementChild);
    entry.dataset.guest = guest.id;
    const name = entry.querySelector(".name");
    if (name) name.textContent = guest.name;
    const admit = /** @type {HTMLButtonElement | null} */ (entry.querySelector(".admit"));
    const deny = /** @type {HTMLButtonElement | null} */ (entry.querySelector(".deny"));
    for (const [button, act] of /** @type {const} */ ([[admit, onadmit], [deny, ondeny]])) {
      if (!button) continue;
      button.setAttribute("aria-label", `${button.textContent?.trim()}: ${guest.name}`);
      button.onclick = () => {
        button.disabled = true;
        act(guest.id);
      };
    }
    list.append(entry);
  }
  if (empty) empty.hidden = waiting.length > 0;
}
