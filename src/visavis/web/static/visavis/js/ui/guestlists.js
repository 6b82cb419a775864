// The host's lists: guests in the waiting room (admit, deny, deny with a message) and
// guests in the call (back to the waiting room, remove).

/** @typedef {import("../protocol.js").WaitingGuest} WaitingGuest */

/**
 * @param {HTMLButtonElement | null} button
 * @param {string} name
 * @param {() => void} act
 */
function bindButton(button, name, act) {
  if (!button) return;
  button.setAttribute("aria-label", `${button.textContent?.trim()}: ${name}`);
  button.onclick = () => {
    button.disabled = true;
    act();
  };
}

/**
 * @param {string} listId
 * @param {string} templateId
 * @param {string} emptyId
 * @param {WaitingGuest[]} guests
 * @param {(entry: HTMLElement, guest: WaitingGuest) => void} fill
 */
function renderList(listId, templateId, emptyId, guests, fill) {
  const list = document.getElementById(listId);
  const template = document.getElementById(templateId);
  const empty = document.getElementById(emptyId);
  if (!list || !(template instanceof HTMLTemplateElement)) return;
  list.replaceChildren();
  for (const guest of guests) {
    const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true));
    const entry = /** @type {HTMLElement} */ (fragment.firstElementChild);
    entry.dataset.guest = guest.id;
    const name = entry.querySelector(".name");
    if (name) name.textContent = guest.name;
    fill(entry, guest);
    list.append(entry);
  }
  if (empty) empty.hidden = guests.length > 0;
}

/**
 * The waiting room, as the server's `waiting-room` message lists it (docs/protocol.md).
 * (The list's element ids, `lobby` and `lobby-entry`, are older than that name.)
 * @param {WaitingGuest[]} waiting
 * @param {object} actions
 * @param {(id: string) => void} actions.onadmit
 * @param {(id: string, message?: string) => void} actions.ondeny
 * @param {(entry: HTMLElement, id: string) => void} [actions.decorate] adds what else
 *   the counselor knows of the guest (their answer, ui/reply.js)
 */
export function renderWaitingRoom(waiting, { onadmit, ondeny, decorate }) {
  renderList("lobby", "lobby-entry", "lobby-empty", waiting, (entry, guest) => {
    decorate?.(entry, guest.id);
    const button = (/** @type {string} */ selector) =>
      /** @type {HTMLButtonElement | null} */ (entry.querySelector(selector));
    bindButton(button(".admit"), guest.name, () => onadmit(guest.id));
    bindButton(button(".deny"), guest.name, () => ondeny(guest.id));
    const form = /** @type {HTMLFormElement | null} */ (entry.querySelector(".deny-form"));
    const input = /** @type {HTMLInputElement | null} */ (entry.querySelector(".deny-message"));
    if (form && input) {
      form.onsubmit = (event) => {
        event.preventDefault();
        form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        ondeny(guest.id, input.value);
      };
    }
  });
}

/**
 * The guests in the call (the host is not listed: the host cannot be sent back).
 * @param {WaitingGuest[]} guests
 * @param {object} actions
 * @param {(id: string) => void} actions.onsendback
 * @param {(id: string) => void} actions.onremove
 */
export function renderParticipants(guests, { onsendback, onremove }) {
  renderList("participants", "participant-entry", "participants-empty", guests, (entry, guest) => {
    const button = (/** @type {string} */ selector) =>
      /** @type {HTMLButtonElement | null} */ (entry.querySelector(selector));
    bindButton(button(".send-back"), guest.name, () => onsendback(guest.id));
    bindButton(button(".remove"), guest.name, () => onremove(guest.id));
  });
}
