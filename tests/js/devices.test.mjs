// devices.js: listing devices, remembering the choice per tab, choosing a speaker.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import {
  fallbackLabel,
  listDevices,
  saveChoice,
  savedChoice,
  setSpeaker,
  speakerSelectionSupported,
} from "../../src/visavis/web/static/visavis/js/devices.js";

/** A sessionStorage stand-in. */
function fakeStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

function setGlobal(name, value) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

const saved = ["navigator", "sessionStorage", "HTMLMediaElement"].map((name) => [
  name,
  Object.getOwnPropertyDescriptor(globalThis, name),
]);

afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete globalThis[name];
  }
});

describe("listDevices", () => {
  test("sorts devices by kind, names unnamed ones, skips duplicates and id-less entries", async () => {
    setGlobal("navigator", {
      mediaDevices: {
        enumerateDevices: async () => [
          { kind: "audioinput", deviceId: "default", label: "Default - Headset" },
          { kind: "audioinput", deviceId: "mic2", label: "" },
          { kind: "videoinput", deviceId: "cam1", label: "Front camera" },
          { kind: "videoinput", deviceId: "cam1", label: "Front camera" },
          { kind: "audiooutput", deviceId: "", label: "" },
          { kind: "somethingelse", deviceId: "x", label: "x" },
        ],
      },
    });
    assert.deepEqual(await listDevices(), {
      audioinput: [
        { deviceId: "default", label: "Default - Headset" },
        { deviceId: "mic2", label: "Microphone 2" },
      ],
      videoinput: [{ deviceId: "cam1", label: "Front camera" }],
      audiooutput: [],
    });
  });

  test("is empty where the browser cannot list devices or refuses", async () => {
    const empty = { audioinput: [], videoinput: [], audiooutput: [] };
    setGlobal("navigator", {});
    assert.deepEqual(await listDevices(), empty);
    setGlobal("navigator", { mediaDevices: { enumerateDevices: async () => { throw new Error("no"); } } });
    assert.deepEqual(await listDevices(), empty);
  });

  test("fallback labels say what the device is", () => {
    assert.equal(fallbackLabel("videoinput", 1), "Camera 1");
    assert.equal(fallbackLabel("audiooutput", 3), "Speaker 3");
  });
});

describe("savedChoice and saveChoice", () => {
  let storage;
  beforeEach(() => {
    storage = fakeStorage();
    setGlobal("sessionStorage", storage);
  });

  test("remember a device per kind, and forget it with an empty id", () => {
    assert.deepEqual(savedChoice(), {});
    saveChoice("videoinput", "cam1");
    saveChoice("audioinput", "mic1");
    assert.deepEqual(savedChoice(), { videoinput: "cam1", audioinput: "mic1" });
    saveChoice("videoinput", "");
    assert.deepEqual(savedChoice(), { audioinput: "mic1" });
  });

  test("ignore unknown kinds and malformed storage", () => {
    saveChoice("nonsense", "x");
    assert.deepEqual(savedChoice(), {});
    storage.setItem("visavis.devices", "{not json");
    assert.deepEqual(savedChoice(), {});
    storage.setItem("visavis.devices", JSON.stringify({ audioinput: 5, videoinput: "ok", other: "x" }));
    assert.deepEqual(savedChoice(), { videoinput: "ok" });
    storage.setItem("visavis.devices", "null");
    assert.deepEqual(savedChoice(), {});
  });

  test("work without storage, and with storage that throws", () => {
    delete globalThis.sessionStorage;
    assert.doesNotThrow(() => saveChoice("audioinput", "mic1"));
    assert.deepEqual(savedChoice(), {});
    setGlobal("sessionStorage", {
      getItem() { throw new Error("denied"); },
      setItem() { throw new Error("denied"); },
    });
    assert.doesNotThrow(() => saveChoice("audioinput", "mic1"));
    assert.deepEqual(savedChoice(), {});
  });
});

describe("speakers", () => {
  test("selection is supported only where media elements have setSinkId", () => {
    delete globalThis.HTMLMediaElement;
    assert.equal(speakerSelectionSupported(), false);
    setGlobal("HTMLMediaElement", class { play() {} });
    assert.equal(speakerSelectionSupported(), false);
    setGlobal("HTMLMediaElement", class { setSinkId() {} });
    assert.equal(speakerSelectionSupported(), true);
  });

  test("setSpeaker sets the sink, and reports failure instead of throwing", async () => {
    const chosen = [];
    const element = { setSinkId: async (id) => { chosen.push(id); } };
    assert.equal(await setSpeaker(element, "spk1"), true);
    assert.deepEqual(chosen, ["spk1"]);
    const broken = { setSinkId: async () => { throw new DOMException("gone", "NotFoundError"); } };
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(await setSpeaker(broken, "spk1"), false);
    } finally {
      console.warn = warn;
    }
    assert.equal(await setSpeaker({}, "spk1"), false);
  });
});
