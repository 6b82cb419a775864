// resume.js: the saved place in a call, for a reload or the link opened again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { forgetAll, forgetResume, loadResume, saveResume } from "../../src/visavis/web/static/visavis/js/resume.js";
import { EXITED_KEY, forgetSession } from "../../src/visavis/web/static/visavis/js/quickexit.js";

/** A Storage over a Map (what localStorage and sessionStorage offer). */
function memoryStorage() {
  const items = new Map();
  return {
    get length() { return items.size; },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => { items.set(k, String(v)); },
    removeItem: (k) => { items.delete(k); },
    clear: () => items.clear(),
  };
}

const TOKEN = "HRNSrd1wgotNCcqFTwN655fPkJ9BX1w3NMx4yPveoUA";

describe("saved place", () => {
  test("is found again before it expires, per room", () => {
    const storage = memoryStorage();
    saveResume(storage, "room-a", { token: TOKEN, name: "Robin", expires: 2000 });
    assert.deepEqual(loadResume(storage, "room-a", 1000), { token: TOKEN, name: "Robin", expires: 2000 });
    assert.equal(loadResume(storage, "room-b", 1000), null);
  });

  test("is gone once expired, and removed", () => {
    const storage = memoryStorage();
    saveResume(storage, "room-a", { token: TOKEN, name: "Robin", expires: 2000 });
    assert.equal(loadResume(storage, "room-a", 2000), null);
    assert.equal(storage.length, 0);
  });

  test("an unreadable entry is ignored and removed", () => {
    const storage = memoryStorage();
    storage.setItem("visavis.resume.room-a", "{not json");
    assert.equal(loadResume(storage, "room-a", 0), null);
    storage.setItem("visavis.resume.room-a", JSON.stringify({ token: 5, name: "x", expires: 9 }));
    assert.equal(loadResume(storage, "room-a", 0), null);
    assert.equal(storage.length, 0);
  });

  test("is forgotten on leaving; storage that throws is not an error", () => {
    const storage = memoryStorage();
    saveResume(storage, "room-a", { token: TOKEN, name: "Robin", expires: 2000 });
    forgetResume(storage, "room-a");
    assert.equal(loadResume(storage, "room-a", 0), null);
    const broken = { getItem() { throw new Error("denied"); }, setItem() { throw new Error("denied"); }, removeItem() { throw new Error("denied"); } };
    saveResume(/** @type {any} */ (broken), "room-a", { token: TOKEN, name: "R", expires: 1 });
    assert.equal(loadResume(/** @type {any} */ (broken), "room-a", 0), null);
  });
});

describe("quick exit", () => {
  test("forgets every place and name, and marks the tab as left", () => {
    const local = memoryStorage();
    const session = memoryStorage();
    saveResume(local, "room-a", { token: TOKEN, name: "Robin", expires: 2000 });
    local.setItem("other-site-key", "kept");
    session.setItem("visavis.name", "Robin");
    forgetSession(local, session, "/exit");
    assert.equal(local.getItem("other-site-key"), "kept");
    assert.equal(local.length, 1);
    assert.equal(session.getItem("visavis.name"), null);
    assert.equal(session.getItem(EXITED_KEY), "/exit");
    forgetAll(session);
    assert.equal(session.length, 0);
  });
});
