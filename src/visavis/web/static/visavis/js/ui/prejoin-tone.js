// The speaker test: a short, soft three-note chime made by Web Audio oscillators (no
// sound file to download), played on the chosen speaker where the browser allows that.

import { setSpeaker, speakerSelectionSupported } from "../devices.js";

/** C5, E5, G5: a friendly major chord, one note after the other. */
export const NOTES = [523.25, 659.25, 783.99];
const STEP = 0.35;
const NOTE_LENGTH = 0.6;
const VOLUME = 0.2;

/** @returns {number} seconds the chime lasts */
export function toneDuration() {
  return STEP * (NOTES.length - 1) + NOTE_LENGTH;
}

/**
 * Play the chime on speaker `speakerId` ("" for the system's default). Must start from a
 * click or tap: browsers only play sound after the person interacted with the page.
 * @param {string} [speakerId]
 * @returns {Promise<void>} resolves when the chime has ended
 */
export async function playTestTone(speakerId = "") {
  const context = new AudioContext();
  const master = context.createGain();
  master.gain.value = VOLUME;
  /** @type {HTMLAudioElement | null} */
  let element = null;
  if (speakerId && speakerSelectionSupported()) {
    // Only a media element can choose a speaker everywhere setSinkId exists.
    const destination = context.createMediaStreamDestination();
    element = new Audio();
    element.srcObject = destination.stream;
    await setSpeaker(element, speakerId);
    master.connect(destination);
  } else {
    master.connect(context.destination);
  }
  try {
    await context.resume();
    if (element) await element.play();
    const start = context.currentTime + 0.05;
    NOTES.forEach((frequency, index) => {
      const at = start + index * STEP;
      const oscillator = context.createOscillator();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      const envelope = context.createGain();
      envelope.gain.setValueAtTime(0.0001, at);
      envelope.gain.exponentialRampToValueAtTime(1, at + 0.02);
      envelope.gain.exponentialRampToValueAtTime(0.0001, at + NOTE_LENGTH);
      oscillator.connect(envelope).connect(master);
      oscillator.start(at);
      oscillator.stop(at + NOTE_LENGTH + 0.05);
    });
    await new Promise((resolve) => setTimeout(resolve, (toneDuration() + 0.2) * 1000));
  } finally {
    element?.pause();
    if (element) element.srcObject = null;
    await context.close().catch(() => {});
  }
}
