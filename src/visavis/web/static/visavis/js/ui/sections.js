// Which part of a room page is visible (exactly one section shows at a time), and the
// page's elements found by id, by participant and by class.

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

/**
 * The element that stands for participant `id` (its `data-peer`) inside `parent`, or null.
 * @param {ParentNode} parent
 * @param {string} selector which kind of element, e.g. "tr" or "#tiles .tile.remote"
 * @param {string} id
 * @returns {HTMLElement | null}
 */
export function peerElement(parent, selector, id) {
  return parent.querySelector(`${selector}[data-peer="${CSS.escape(id)}"]`);
}

/**
 * The `tag` element for participant `id` in `list` (a row, a list item), appended on
 * first use.
 * @param {HTMLElement} list
 * @param {string} tag
 * @param {string} id
 * @returns {HTMLElement}
 */
export function peerEntry(list, tag, id) {
  let entry = peerElement(list, tag, id);
  if (!entry) {
    entry = document.createElement(tag);
    entry.dataset.peer = id;
    list.append(entry);
  }
  return entry;
}

/**
 * The child of `parent` with class `className` (a badge on a video tile), a <span>
 * appended on first use.
 * @param {Element} parent
 * @param {string} className
 * @returns {Element}
 */
export function partOf(parent, className) {
  let part = parent.querySelector(`.${className}`);
  if (!part) {
    part = document.createElement("span");
    part.className = className;
    parent.append(part);
  }
  return part;
}
