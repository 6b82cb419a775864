import assert from "node:assert/strict";
import { test } from "node:test";

import { fingerprintOf, safetyCode } from "../../src/visavis/web/static/visavis/js/safetycode.js";

const A = "v=0\r\na=fingerprint:sha-256 AA:BB:CC:DD\r\na=setup:actpass\r\n";
const B = "v=0\r\na=fingerprint:SHA-256 11:22:33:44\r\n";
const B2 = "v=0\r\na=fingerprint:sha-256 11:22:33:45\r\n";

test("fingerprintOf reads and normalises the first fingerprint", () => {
  assert.equal(fingerprintOf(A), "sha-256 AA:BB:CC:DD");
  assert.equal(fingerprintOf(B), "sha-256 11:22:33:44");
  assert.equal(fingerprintOf("v=0\r\n"), null);
});

test("both ends compute the same code, whichever side is local", async () => {
  const one = await safetyCode(A, B);
  const other = await safetyCode(B, A);
  assert.match(one, /^\d{4} \d{4}$/);
  assert.equal(one, other);
});

test("a different fingerprint gives a different code", async () => {
  assert.notEqual(await safetyCode(A, B), await safetyCode(A, B2));
});

test("no code without fingerprints on both sides", async () => {
  assert.equal(await safetyCode(A, "v=0\r\n"), null);
});
