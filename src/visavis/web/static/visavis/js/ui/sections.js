// Which part of a room page is visible. Exactly one section shows at a time.

/**
 * Show the section with `id`, hide its siblings, and move focus to its heading so that
 * screen readers announce the change.
 * @param {string} id
 * @param {string[]} all ids of every switchable section
 */
export function showSection(id, all) {
  for (const other of all) {
    const element = document.getElementById(other);
    if (element) element.hidden = other !== id;
  }
  const heading = document.querySelector(`#${id} h1[tabindex]`);
  if (heading instanceof HTMLElement) heading.focus();
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element;
}
