// media.js: failure classification, muting and opening media, on fake streams.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import {
  AUDIO_CONSTRAINTS,
  MediaProblem,
  VIDEO_CONSTRAINTS,
  classify,
  describeProblem,
  hasTrack,
  openLocalMedia,
  openTrack,
  setEnabled,
  stopAll,
} from "../../src/visavis/web/static/visavis/js/media.js";

/** An Error with a DOMException's name, as some browsers and polyfills throw. */
function namedError(name) {
  const error = new Error(`fake ${name}`);
  error.name = name;
  return error;
}

function fakeTrack(kind) {
  return {
    kind,
    enabled: true,
    stopped: 0,
    stop() {
      this.stopped += 1;
    },
  };
}

function fakeStream(...kinds) {
  const tracks = kinds.map(fakeTrack);
  return { tracks, getTracks: () => [...tracks] };
}

describe("classify", () => {
  const cases = [
    ["NotAllowedError", "denied"],
    ["SecurityError", "denied"],
    ["NotFoundError", "notfound"],
    ["OverconstrainedError", "notfound"],
    ["NotReadableError", "inuse"],
    ["AbortError", "inuse"],
    ["TypeError", "other"],
    ["InvalidStateError", "other"],
    ["Error", "other"],
  ];
  for (const [name, kind] of cases) {
    test(`a DOMException named ${name} is ${kind}`, () => {
      assert.equal(classify(new DOMException("fake", name)), kind);
    });
    test(`an Error named ${name} is ${kind}`, () => {
      assert.equal(classify(namedError(name)), kind);
    });
  }

  test("values that are not errors are other", () => {
    assert.equal(classify(undefined), "other");
    assert.equal(classify(null), "other");
    assert.equal(classify("NotAllowedError"), "other");
  });
});

describe("setEnabled", () => {
  test("switches only the tracks of the given kind", () => {
    const stream = fakeStream("audio", "video", "audio");
    setEnabled(stream, "audio", false);
    assert.deepEqual(stream.tracks.map((t) => [t.kind, t.enabled]), [
      ["audio", false],
      ["video", true],
      ["audio", false],
    ]);
    setEnabled(stream, "video", false);
    setEnabled(stream, "audio", true);
    assert.deepEqual(stream.tracks.map((t) => [t.kind, t.enabled]), [
      ["audio", true],
      ["video", false],
      ["audio", true],
    ]);
  });

  test("does nothing without a stream", () => {
    assert.doesNotThrow(() => setEnabled(null, "audio", false));
  });
});

describe("hasTrack", () => {
  test("tells whether a track of the kind exists", () => {
    const audioOnly = fakeStream("audio");
    assert.equal(hasTrack(audioOnly, "audio"), true);
    assert.equal(hasTrack(audioOnly, "video"), false);
    assert.equal(hasTrack(fakeStream("audio", "video"), "video"), true);
    assert.equal(hasTrack(fakeStream(), "audio"), false);
  });

  test("is false without a stream", () => {
    assert.equal(hasTrack(null, "audio"), false);
    assert.equal(hasTrack(null, "video"), false);
  });
});

describe("stopAll", () => {
  test("stops every track once", () => {
    const stream = fakeStream("audio", "video");
    stopAll(stream);
    assert.deepEqual(stream.tracks.map((t) => t.stopped), [1, 1]);
  });

  test("does nothing without a stream", () => {
    assert.doesNotThrow(() => stopAll(null));
  });
});

describe("MediaProblem", () => {
  test("keeps kind and cause", () => {
    const cause = namedError("NotAllowedError");
    const problem = new MediaProblem("denied", cause);
    assert.ok(problem instanceof Error);
    assert.equal(problem.kind, "denied");
    assert.equal(problem.cause, cause);
    assert.equal(problem.message, "denied");
  });
});

describe("describeProblem", () => {
  afterEach(() => {
    delete globalThis.django;
  });

  test("gives each kind its own explanation", () => {
    const kinds = ["insecure", "unsupported", "denied", "notfound", "inuse", "other"];
    const texts = kinds.map(describeProblem);
    assert.equal(new Set(texts).size, kinds.length);
    assert.match(describeProblem("insecure"), /https/);
    assert.match(describeProblem("denied"), /blocked/);
  });

  test("translates through the catalog", () => {
    globalThis.django = { gettext: (text) => `[de] ${text}`, interpolate: () => "" };
    assert.match(describeProblem("inuse"), /^\[de\] Your camera or microphone is being used/);
  });
});

describe("openLocalMedia", () => {
  const saved = {
    isSecureContext: Object.getOwnPropertyDescriptor(globalThis, "isSecureContext"),
    navigator: Object.getOwnPropertyDescriptor(globalThis, "navigator"),
    RTCPeerConnection: Object.getOwnPropertyDescriptor(globalThis, "RTCPeerConnection"),
    sessionStorage: Object.getOwnPropertyDescriptor(globalThis, "sessionStorage"),
  };

  function setGlobal(name, value) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }

  afterEach(() => {
    for (const [name, descriptor] of Object.entries(saved)) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete globalThis[name];
    }
  });

  /**
   * A browser whose getUserMedia answers each call with the next of `outcomes`: a
   * stream is returned, an error is thrown.
   */
  function fakeBrowser(...outcomes) {
    const requests = [];
    setGlobal("isSecureContext", true);
    setGlobal("RTCPeerConnection", class {});
    setGlobal("navigator", {
      mediaDevices: {
        async getUserMedia(constraints) {
          requests.push(constraints);
          const outcome = outcomes.shift();
          if (outcome instanceof Error) throw outcome;
          return outcome;
        },
      },
    });
    return requests;
  }

  async function problemOf(promise) {
    const error = await promise.then(
      () => assert.fail("expected a MediaProblem"),
      (e) => e,
    );
    assert.ok(error instanceof MediaProblem, `expected a MediaProblem, got ${error}`);
    return error;
  }

  test("refuses on an insecure page", async () => {
    setGlobal("isSecureContext", false);
    assert.equal((await problemOf(openLocalMedia())).kind, "insecure");
  });

  test("refuses without getUserMedia", async () => {
    setGlobal("isSecureContext", true);
    setGlobal("RTCPeerConnection", class {});
    setGlobal("navigator", {});
    assert.equal((await problemOf(openLocalMedia())).kind, "unsupported");
  });

  test("refuses without RTCPeerConnection", async () => {
    fakeBrowser(fakeStream("audio", "video"));
    delete globalThis.RTCPeerConnection;
    assert.equal((await problemOf(openLocalMedia())).kind, "unsupported");
  });

  test("asks for camera and microphone", async () => {
    const stream = fakeStream("audio", "video");
    const requests = fakeBrowser(stream);
    assert.equal(await openLocalMedia(), stream);
    assert.deepEqual(requests, [{ audio: AUDIO_CONSTRAINTS, video: VIDEO_CONSTRAINTS }]);
  });

  test("falls back to the microphone alone when the camera is missing", async () => {
    const audio = fakeStream("audio");
    const requests = fakeBrowser(new DOMException("no camera", "NotFoundError"), audio);
    assert.equal(await openLocalMedia(), audio);
    assert.deepEqual(requests, [
      { audio: AUDIO_CONSTRAINTS, video: VIDEO_CONSTRAINTS },
      { audio: AUDIO_CONSTRAINTS },
    ]);
  });

  test("does not ask again after a refusal", async () => {
    const refusal = new DOMException("no", "NotAllowedError");
    const requests = fakeBrowser(refusal, fakeStream("audio"));
    const problem = await problemOf(openLocalMedia());
    assert.equal(problem.kind, "denied");
    assert.equal(problem.cause, refusal);
    assert.equal(requests.length, 1);
  });

  test("reports the second failure when the fallback fails too", async () => {
    const second = new DOMException("busy", "NotReadableError");
    fakeBrowser(new DOMException("no camera", "NotFoundError"), second);
    const problem = await problemOf(openLocalMedia());
    assert.equal(problem.kind, "inuse");
    assert.equal(problem.cause, second);
  });
});

describe("openLocalMedia with choices, and openTrack", () => {
  const names = ["isSecureContext", "navigator", "RTCPeerConnection", "sessionStorage"];
  const saved = Object.fromEntries(names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));

  function setGlobal(name, value) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }

  afterEach(() => {
    for (const [name, descriptor] of Object.entries(saved)) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete globalThis[name];
    }
  });

  function fakeBrowser(...outcomes) {
    const requests = [];
    setGlobal("isSecureContext", true);
    setGlobal("RTCPeerConnection", class {});
    setGlobal("navigator", {
      mediaDevices: {
        async getUserMedia(constraints) {
          requests.push(constraints);
          const outcome = outcomes.shift();
          if (outcome instanceof Error) throw outcome;
          return outcome;
        },
      },
    });
    return requests;
  }

  function remember(choice) {
    const items = new Map([["visavis.devices", JSON.stringify(choice)]]);
    setGlobal("sessionStorage", { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => items.set(key, value) });
  }

  test("camera off: only the microphone is asked for", async () => {
    const audio = fakeStream("audio");
    const requests = fakeBrowser(audio);
    assert.equal(await openLocalMedia({ video: false }), audio);
    assert.deepEqual(requests, [{ audio: AUDIO_CONSTRAINTS }]);
  });

  test("camera off: a refused microphone is reported", async () => {
    fakeBrowser(new DOMException("no", "NotAllowedError"));
    const error = await openLocalMedia({ video: false }).catch((e) => e);
    assert.ok(error instanceof MediaProblem);
    assert.equal(error.kind, "denied");
  });

  test("devices chosen earlier in the tab are preferred, not insisted on", async () => {
    remember({ audioinput: "mic2", videoinput: "cam2" });
    const requests = fakeBrowser(fakeStream("audio", "video"));
    await openLocalMedia();
    assert.deepEqual(requests, [{
      audio: { ...AUDIO_CONSTRAINTS, deviceId: { ideal: "mic2" } },
      video: { ...VIDEO_CONSTRAINTS, deviceId: { ideal: "cam2" } },
    }]);
  });

  test("openTrack opens exactly the chosen device with the shared settings", async () => {
    const stream = fakeStream("video");
    const requests = fakeBrowser(stream);
    assert.equal(await openTrack("video", "cam2"), stream.tracks[0]);
    assert.deepEqual(requests, [{ video: { ...VIDEO_CONSTRAINTS, deviceId: { exact: "cam2" } } }]);
  });

  test("openTrack without a device id takes the default microphone", async () => {
    const requests = fakeBrowser(fakeStream("audio"));
    await openTrack("audio", "");
    assert.deepEqual(requests, [{ audio: AUDIO_CONSTRAINTS }]);
  });

  test("openTrack stops tracks it does not return", async () => {
    const stream = fakeStream("audio", "audio");
    fakeBrowser(stream);
    const track = await openTrack("audio", "mic1");
    assert.equal(track, stream.tracks[0]);
    assert.deepEqual(stream.tracks.map((t) => t.stopped), [0, 1]);
  });

  test("openTrack reports failures as MediaProblems", async () => {
    fakeBrowser(new DOMException("gone", "OverconstrainedError"));
    const error = await openTrack("video", "cam9").catch((e) => e);
    assert.ok(error instanceof MediaProblem);
    assert.equal(error.kind, "notfound");
    fakeBrowser(fakeStream());
    assert.equal((await openTrack("video", "").catch((e) => e)).kind, "notfound");
    setGlobal("isSecureContext", false);
    assert.equal((await openTrack("audio", "").catch((e) => e)).kind, "insecure");
  });
});
