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
 * Fill %(name)s placeholders of an already translated message. Call it as
 * `format(gettext("…"), {…})`, so that makemessages finds the message.
 * @param {string} text
 * @param {Record<string, string | number>} values
 * @returns {string}
 */
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}
