// Starting a remote participant's picture and sound. Browsers may refuse to play sound
// before the person has touched the page (iOS Safari when neither camera nor microphone
// is on, any browser after a reload): then the picture plays muted and the page offers
// a button that turns the sound on with that touch. No DOM beyond media elements.

/** @typedef {{muted: boolean, play: () => Promise<void>}} Playable */

/**
 * Play `element`; if the browser refuses sound without a gesture (NotAllowedError),
 * play it muted instead and call `onblocked`.
 * @param {Playable} element
 * @param {() => void} onblocked
 * @returns {Promise<"playing" | "muted" | "failed">}
 */
export async function startPlayback(element, onblocked) {
  try {
    await element.play();
    return "playing";
  } catch (error) {
    if (element.muted || !(error instanceof Error) || error.name !== "NotAllowedError") {
      return "failed";
    }
  }
  element.muted = true;
  onblocked();
  try {
    await element.play();
  } catch {
    // Even muted it may not start yet; the button's touch starts it.
  }
  return "muted";
}

/**
 * Turn the sound of `elements` on and play them: call this from a click or tap, which
 * is the gesture the browser waits for. Returns whether all of them play.
 * @param {Playable[]} elements
 * @returns {Promise<boolean>}
 */
export async function resumeSound(elements) {
  const results = await Promise.all(elements.map(async (element) => {
    element.muted = false;
    try {
      await element.play();
      return true;
    } catch {
      return false;
    }
  }));
  return results.every(Boolean);
}
