// A microphone level meter: a bar that moves when the client speaks, so they see that
// the microphone works before anyone hears them. Web Audio only reads the samples;
// nothing is recorded or sent anywhere.
//
// Markup: <div class="meter"><div class="meter-fill"></div></div>. The bar's width is
// set through element.style (allowed by the CSP, unlike style attributes in HTML), and
// data-level holds the level in percent, for styling and for tests.

/** How fast the bar falls back: a smooth fall reads calmer than a flickering bar. */
const DECAY = 0.85;
const UNLOCK_EVENTS = ["pointerdown", "touchend", "click", "keydown"];

/**
 * The loudness of a block of samples, 0…1: root mean square, scaled so that normal
 * speech fills most of the bar (speech is far below full scale).
 * @param {ArrayLike<number>} samples values in -1…1
 * @returns {number}
 */
export function levelFromSamples(samples) {
  if (!samples.length) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  return Math.min(1, rms * 4);
}

/**
 * The level to show next: rise at once, fall slowly.
 * @param {number} shown the level shown now
 * @param {number} measured the level just measured
 * @returns {number}
 */
export function smooth(shown, measured) {
  return Math.max(measured, shown * DECAY);
}

export class LevelMeter {
  /** @param {HTMLElement} element the .meter element */
  constructor(element) {
    this.element = element;
    this.fill = /** @type {HTMLElement | null} */ (element.querySelector(".meter-fill"));
    /** @type {AudioContext | null} */
    this.context = null;
    /** @type {MediaStreamAudioSourceNode | null} */
    this.source = null;
    /** @type {AnalyserNode | null} */
    this.analyser = null;
    this.frame = 0;
    this.level = 0;
    this.resume = () => { this.context?.resume().catch(() => {}); };
  }

  /**
   * Measure `track` from now on (null: show nothing).
   * @param {MediaStreamTrack | null} track an audio track
   */
  attach(track) {
    this.detach();
    if (!track || typeof AudioContext === "undefined") return;
    try {
      this.context ??= new AudioContext();
      this.source = this.context.createMediaStreamSource(new MediaStream([track]));
      this.analyser = this.context.createAnalyser();
      this.analyser.fftSize = 1024;
      this.source.connect(this.analyser);
    } catch (error) {
      console.warn("visavis: no level meter", error);
      this.detach();
      return;
    }
    // Browsers start audio suspended until the person interacts with the page (iOS
    // only counts some events as interaction, hence several).
    this.resume();
    for (const type of UNLOCK_EVENTS) document.addEventListener(type, this.resume);
    const samples = new Float32Array(this.analyser.fftSize);
    const tick = () => {
      if (!this.analyser) return;
      this.analyser.getFloatTimeDomainData(samples);
      this.show(smooth(this.level, levelFromSamples(samples)));
      this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  /** @param {number} level 0…1 */
  show(level) {
    this.level = level;
    const percent = Math.round(level * 100);
    if (this.fill) this.fill.style.width = `${percent}%`;
    this.element.dataset.level = String(percent);
  }

  /** Stop measuring; the bar drops to zero. */
  detach() {
    cancelAnimationFrame(this.frame);
    this.source?.disconnect();
    this.source = null;
    this.analyser = null;
    this.show(0);
  }

  /** Stop measuring and release the audio machinery. */
  close() {
    this.detach();
    for (const type of UNLOCK_EVENTS) document.removeEventListener(type, this.resume);
    this.context?.close().catch(() => {});
    this.context = null;
  }
}
