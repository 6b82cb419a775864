// i18n.js: translations come from globalThis.django when Django's catalog is loaded.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { format, gettext } from "../../src/visavis/web/static/visavis/js/i18n.js";

/** A stand-in for Django's JavaScript catalog that translates a few messages. */
function fakeCatalog(translations) {
  const asked = [];
  return {
    asked,
    gettext(text) {
      asked.push(text);
      return translations[text] ?? text;
    },
    interpolate() {
      throw new Error("i18n.js should not need interpolate");
    },
  };
}

afterEach(() => {
  delete globalThis.django;
});

describe("gettext", () => {
  test("returns the source text when no catalog is loaded", () => {
    assert.equal(globalThis.django, undefined);
    assert.equal(gettext("Mute"), "Mute");
  });

  test("uses the catalog when one is loaded", () => {
    const catalog = fakeCatalog({ Mute: "Stummschalten" });
    globalThis.django = catalog;
    assert.equal(gettext("Mute"), "Stummschalten");
    assert.equal(gettext("Unknown text"), "Unknown text");
    assert.deepEqual(catalog.asked, ["Mute", "Unknown text"]);
  });

  test("looks the catalog up at call time, not at import time", () => {
    assert.equal(gettext("Copied"), "Copied");
    globalThis.django = fakeCatalog({ Copied: "Kopiert" });
    assert.equal(gettext("Copied"), "Kopiert");
    delete globalThis.django;
    assert.equal(gettext("Copied"), "Copied");
  });
});

describe("format", () => {
  test("fills %(name)s placeholders", () => {
    assert.equal(
      format("%(name)s is waiting (%(count)s in all)", { name: "Alex", count: 3 }),
      "Alex is waiting (3 in all)",
    );
  });

  test("fills a placeholder used twice and leaves other text alone", () => {
    assert.equal(format("%(a)s and %(a)s, 100%", { a: "x" }), "x and x, 100%");
  });

  test("a missing value becomes empty text", () => {
    assert.equal(format("Hello %(name)s!", {}), "Hello !");
  });

  test("zero is filled in, not dropped", () => {
    assert.equal(format("%(n)s waiting", { n: 0 }), "0 waiting");
  });

  test("fills in a message translated with gettext", () => {
    globalThis.django = fakeCatalog({ "%(name)s is waiting": "%(name)s wartet" });
    assert.equal(format(gettext("%(name)s is waiting"), { name: "Alex" }), "Alex wartet");
  });
});
