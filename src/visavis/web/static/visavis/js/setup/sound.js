// Sound for the setup test: the microphone's level, a test tone for the speakers, and
// stand-in tracks for the test call when there is no camera or microphone. WebAudio and
// a canvas only: no audio or video files.

/**
 * Follow the level (0..1) of the first audio track of `stream`.
 * @param {AudioContext} context
 * @param {MediaStream} stream
 * @param {(level: number) => void} onlevel called about ten times a second
 * @returns {() => void} stops following
 */
export function followLevel(context, stream, onlevel) {
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    onlevel(levelOf(samples));
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
  };
}

/**
 * A level from 0 to 1 that moves visibly for speech: the RMS, scaled and capped.
 * @param {Float32Array} samples
 * @returns {number}
 */
export function levelOf(samples) {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return Math.min(1, rms * 4);
}

/**
 * A soft 440 Hz tone on the speakers.
 * @param {AudioContext} context
 * @param {number} [seconds]
 * @returns {Promise<void>} when it has ended
 */
export function playTone(context, seconds = 1.5) {
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.frequency.value = 440;
  const now = context.currentTime;
  gain.gain.setValueAtTime(0, now);
  gain.gain.linearRampToValueAtTime(0.25, now + 0.05);
  gain.gain.setValueAtTime(0.25, now + seconds - 0.2);
  gain.gain.linearRampToValueAtTime(0, now + seconds);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start(now);
  oscillator.stop(now + seconds);
  return new Promise((resolve) => {
    oscillator.addEventListener("ended", () => {
      gain.disconnect();
      resolve();
    });
  });
}

/**
 * Tracks to send in the test call: the real ones where there are, else a moving canvas
 * picture and a quiet tone (not played here), so the connection is tested either way.
 * @param {AudioContext} context
 * @param {MediaStream | null} stream
 * @returns {{stream: MediaStream, stop: () => void}}
 */
export function callTracks(context, stream) {
  const tracks = stream ? stream.getTracks().filter((t) => t.readyState === "live") : [];
  /** @type {(() => void)[]} */
  const stops = [];
  if (!tracks.some((t) => t.kind === "video")) {
    const canvas = document.createElement("canvas");
    canvas.width = 320;
    canvas.height = 240;
    const paint = canvas.getContext("2d");
    let frame = 0;
    const timer = setInterval(() => {
      if (!paint) return;
      frame += 1;
      paint.fillStyle = `hsl(${(frame * 7) % 360} 40% 45%)`;
      paint.fillRect(0, 0, canvas.width, canvas.height);
      paint.fillStyle = "#fff";
      paint.fillRect((frame * 5) % canvas.width, 100, 40, 40);
    }, 66);
    const video = canvas.captureStream(15).getVideoTracks()[0];
    tracks.push(video);
    stops.push(() => { clearInterval(timer); video.stop(); });
  }
  if (!tracks.some((t) => t.kind === "audio")) {
    const oscillator = context.createOscillator();
    const destination = context.createMediaStreamDestination();
    oscillator.connect(destination);
    oscillator.start();
    const audio = destination.stream.getAudioTracks()[0];
    tracks.push(audio);
    stops.push(() => { oscillator.stop(); audio.stop(); });
  }
  return {
    stream: new MediaStream(tracks),
    stop: () => { for (const stop of stops) stop(); },
  };
}
