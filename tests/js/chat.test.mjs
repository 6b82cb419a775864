// chat.js: what may be sent and what is shown; no DOM.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

const { Chat, MAX_CHAT_LENGTH, cleanText } = await import("../../src/visavis/web/static/visavis/js/chat.js");

const kim = { id: "b-kim", name: "Kim", role: "guest" };

function makeChat(reached = 1) {
  const sent = [];
  const entries = [];
  const chat = new Chat({ broadcast: (message) => { sent.push(message); return reached; } });
  chat.onentry = (entry) => entries.push(entry);
  return { chat, sent, entries };
}

describe("cleanText", () => {
  test("trims, keeps line breaks, drops control and bidi override characters", () => {
    assert.equal(cleanText("  Hallo\r\nWelt\u0007\u202e!  "), "Hallo\nWelt!");
    assert.equal(cleanText("a\tb"), "a\tb");
  });
  test("anything but a string is empty", () => {
    assert.equal(cleanText(42), "");
    assert.equal(cleanText(null), "");
    assert.equal(cleanText({ toString: () => "x" }), "");
  });
});

describe("send", () => {
  test("sends the cleaned text to everyone and shows it as ours", () => {
    const { chat, sent, entries } = makeChat();
    assert.equal(chat.send("  Guten Tag  "), "sent");
    assert.deepEqual(sent, [{ type: "chat", text: "Guten Tag" }]);
    assert.equal(entries.length, 1);
    assert.equal(entries[0].mine, true);
    assert.equal(entries[0].text, "Guten Tag");
  });
  test("refuses empty and too long messages without sending", () => {
    const { chat, sent, entries } = makeChat();
    assert.equal(chat.send("   "), "empty");
    assert.equal(chat.send("x".repeat(MAX_CHAT_LENGTH + 1)), "too-long");
    assert.equal(chat.send("x".repeat(MAX_CHAT_LENGTH)), "sent");
    assert.equal(sent.length, 1);
    assert.equal(entries.length, 1);
  });
  test("says so when nobody could be reached, and shows nothing", () => {
    const { chat, entries } = makeChat(0);
    assert.equal(chat.send("Hallo?"), "nobody");
    assert.deepEqual(entries, []);
  });
});

describe("receive", () => {
  test("shows a chat message with the sender's name", () => {
    const { chat, entries } = makeChat();
    assert.equal(chat.receive(kim, { type: "chat", text: "<b>Hallo</b>" }), true);
    assert.equal(entries[0].name, "Kim");
    assert.equal(entries[0].from, "b-kim");
    assert.equal(entries[0].text, "<b>Hallo</b>"); // shown with textContent, never as HTML
    assert.equal(entries[0].mine, false);
  });
  test("ignores other messages, empty, malformed and too long ones", () => {
    const { chat, entries } = makeChat();
    assert.equal(chat.receive(kim, { type: "screen", sharing: true }), false);
    assert.equal(chat.receive(kim, { type: "chat" }), false);
    assert.equal(chat.receive(kim, { type: "chat", text: 5 }), false);
    assert.equal(chat.receive(kim, { type: "chat", text: " \u0000 " }), false);
    assert.equal(chat.receive(kim, { type: "chat", text: "x".repeat(MAX_CHAT_LENGTH + 1) }), false);
    assert.deepEqual(entries, []);
  });
});
