// ui/meter.js: the level computed from samples, and its smoothing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { levelFromSamples, smooth } from "../../src/visavis/web/static/visavis/js/ui/meter.js";

describe("levelFromSamples", () => {
  test("silence is zero, no samples are zero", () => {
    assert.equal(levelFromSamples(new Float32Array(512)), 0);
    assert.equal(levelFromSamples([]), 0);
  });

  test("louder is higher, and full scale is capped at one", () => {
    const tone = (amplitude) => Float32Array.from({ length: 1024 }, (_, i) => amplitude * Math.sin(i / 5));
    const quiet = levelFromSamples(tone(0.02));
    const speech = levelFromSamples(tone(0.1));
    assert.ok(quiet > 0 && quiet < speech, [quiet, speech]);
    assert.ok(speech > 0.2 && speech < 0.5, speech);
    assert.equal(levelFromSamples(tone(1)), 1);
  });
});

describe("smooth", () => {
  test("rises at once and falls gradually", () => {
    assert.equal(smooth(0.1, 0.8), 0.8);
    const next = smooth(0.8, 0);
    assert.ok(next < 0.8 && next > 0.5, next);
    let level = 1;
    for (let i = 0; i < 60; i += 1) level = smooth(level, 0);
    assert.ok(level < 0.01, level);
  });
});
