// Translations come from Django's JavaScript catalog (/jsi18n/), loaded as a classic
// script before the modules; without it, the English source text is shown.

/**
 * @typedef {{gettext: (s: string) => string, interpolate: (fmt: string, obj: object, named: boolean) => string}} DjangoCatalog
 */

/** @returns {DjangoCatalog | undefined} */
function catalog() {
  return /** @type {{django?: DjangoCatalog}} */ (globalThis).django;
}

/**
 * Translate a message.
 * @param {string} text
 * @returns {string}
 */
export function gettext(text) {
  const django = catalog();
  return django ? django.gettext(text) : text;
}

/**
 * Translate a message and fill in %(name)s placeholders.
 * @param {string} text
 * @param {Record<string, string | number>} values
 * @returns {string}
 */
export function format(text, values) {
  return gettext(text).replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}
