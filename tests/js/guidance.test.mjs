// ui/guidance.js: which browser, and what the client is told to do.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { detectBrowser, guidanceFor } from "../../src/visavis/web/static/visavis/js/ui/guidance.js";

const AGENTS = {
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  edgeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
  safariMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  safariIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  chromeIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1",
  chromeAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  firefoxAndroid: "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0",
  samsung: "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
  facebookIphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0]",
};

describe("detectBrowser", () => {
  const expected = {
    chromeWindows: ["chrome", "windows", false],
    edgeWindows: ["edge", "windows", false],
    firefoxLinux: ["firefox", "linux", false],
    safariMac: ["safari", "mac", false],
    safariIphone: ["safari", "ios", true],
    chromeIphone: ["chrome", "ios", true],
    chromeAndroid: ["chrome", "android", true],
    firefoxAndroid: ["firefox", "android", true],
    samsung: ["samsung", "android", true],
  };
  for (const [name, [family, os, mobile]] of Object.entries(expected)) {
    test(`${name} is ${family} on ${os}`, () => {
      const browser = detectBrowser(AGENTS[name]);
      assert.deepEqual([browser.family, browser.os, browser.mobile], [family, os, mobile]);
      assert.equal(browser.inApp, false);
    });
  }

  test("an iPad that says it is a Mac is recognised by its touch screen", () => {
    assert.equal(detectBrowser(AGENTS.safariMac, 5).os, "ios");
    assert.equal(detectBrowser(AGENTS.safariMac, 0).os, "mac");
  });

  test("browsers inside other apps are recognised", () => {
    assert.equal(detectBrowser(AGENTS.facebookIphone).inApp, true);
  });

  test("an empty or strange agent gets the general advice", () => {
    assert.deepEqual(detectBrowser(""), { family: "other", os: "other", mobile: false, inApp: false });
  });
});

describe("guidanceFor", () => {
  afterEach(() => {
    delete globalThis.django;
  });

  const all = (g) => [g.title, g.text, ...g.steps].join(" ");
  const kinds = ["insecure", "unsupported", "denied", "notfound", "inuse", "other"];

  test("every problem has a title, an explanation and at least one step, in every browser", () => {
    for (const agent of Object.values(AGENTS)) {
      for (const kind of kinds) {
        const g = guidanceFor(kind, detectBrowser(agent));
        assert.ok(g.title && g.text && g.steps.length > 0, `${kind} / ${agent}`);
        assert.ok(g.steps.every((step) => typeof step === "string" && step.length > 10));
      }
    }
  });

  test("blocked camera: each browser gets its own way to allow it", () => {
    const texts = new Set(Object.values(AGENTS).map((agent) => all(guidanceFor("denied", detectBrowser(agent)))));
    assert.ok(texts.size >= 7, texts.size);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.firefoxLinux))), /crossed-out camera/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.safariMac))), /Settings for This Website/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.safariMac))), /System Settings/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.edgeWindows))), /Permissions for this site/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.chromeWindows))), /Windows Settings/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.safariIphone))), /Website Settings/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.chromeIphone))), /Settings app/);
    assert.match(all(guidanceFor("denied", detectBrowser(AGENTS.chromeAndroid))), /Android Settings/);
  });

  test("phones are told to tap, computers to click", () => {
    assert.match(all(guidanceFor("inuse", detectBrowser(AGENTS.chromeAndroid))), /tap/);
    assert.match(all(guidanceFor("inuse", detectBrowser(AGENTS.chromeWindows))), /click/);
  });

  test("unsupported: in-app browsers and iPhones get their own advice", () => {
    assert.match(all(guidanceFor("unsupported", detectBrowser(AGENTS.facebookIphone))), /Open in browser/);
    assert.match(all(guidanceFor("unsupported", detectBrowser(AGENTS.safariIphone))), /Safari/);
    assert.match(all(guidanceFor("unsupported", detectBrowser(AGENTS.firefoxLinux))), /Chrome, Edge, Firefox or Safari/);
  });

  test("trying again helps unless the page or the browser is the problem", () => {
    const browser = detectBrowser(AGENTS.chromeWindows);
    assert.deepEqual(kinds.map((kind) => guidanceFor(kind, browser).retry), [false, false, true, true, true, true]);
    assert.match(all(guidanceFor("insecure", browser)), /https:\/\//);
  });

  test("texts are translated through the catalog", () => {
    globalThis.django = { gettext: (text) => `[de] ${text}`, interpolate: () => "" };
    const g = guidanceFor("denied", detectBrowser(AGENTS.chromeWindows));
    for (const text of [g.title, g.text, ...g.steps]) assert.match(text, /^\[de\] /);
  });
});
