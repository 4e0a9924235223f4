// Test probe: what a page really plays (or captures), measured with Web Audio.
//
// Installed into a page by tests/real_media/audio.py. It follows the MediaStream of a media
// element (the listener's <audio>) or the page's own microphone. Every 256 samples (5.3 ms)
// it measures the amplitude at a few frequencies (Goertzel) over the last 1024 samples under a
// Hann window, so that 440 Hz and 660 Hz do not leak into each other (a bare 256-sample block
// would read a 660 Hz tone as 0.08 at 440 Hz). Each row carries the window's centre time on the
// browser's shared clock (performance.timeOrigin + performance.now(), the same in every tab). An
// AnalyserNode on the same stream gives the loudest frequency, as a person would look for it.

(() => {
  if (window.__probe) return;
  const BLOCK = 256;
  // Two independent probes per page (`__probe`, `__probe2`), e.g. one on the microphone and
  // one on the played stream of the same page: Chromium's file microphone starts its file
  // anew for every capture, so a click is only timed on the capture that was sent.
  const create = () => {
    const WINDOW = 1024;
    const hann = Float32Array.from({ length: WINDOW }, (_, i) => 1 - Math.cos((2 * Math.PI * i) / (WINDOW - 1)));
    const ring = new Float32Array(WINDOW);
    const windowed = new Float32Array(WINDOW);
    const KEEP_BLOCKS = 48000 * 600 / BLOCK; // ten minutes of history at most
    const probe = {
      context: null,
      analyser: null,
      source: null,
      stream: null,
      frequencies: [],
      blocks: [], // [time_ms, rms, power at each frequency...]
      attaches: 0,
      playback: [], // [time_ms, data-playback value] of the listener page
  };
  const now = () => performance.timeOrigin + performance.now();

  function goertzel(samples, frequency, rate) {
    const k = 2 * Math.cos((2 * Math.PI * frequency) / rate);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < samples.length; i++) {
      const s0 = samples[i] + k * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const power = s1 * s1 + s2 * s2 - k * s1 * s2;
    return Math.sqrt(Math.max(power, 0)) / (samples.length / 2); // ~ amplitude of that tone
  }

  function attach(stream) {
    if (!stream || stream === probe.stream) return;
    probe.stream = stream;
    probe.source?.disconnect();
    probe.source = probe.context.createMediaStreamSource(stream);
    probe.source.connect(probe.analyser);
    probe.source.connect(probe.processor);
    probe.attaches += 1;
  }

  probe.start = (frequencies, element) => {
    probe.frequencies = frequencies;
    probe.context = new AudioContext({ sampleRate: 48000 });
    probe.analyser = probe.context.createAnalyser();
    probe.analyser.fftSize = 8192;
    probe.processor = probe.context.createScriptProcessor(BLOCK, 1, 1);
    const rate = probe.context.sampleRate;
    probe.processor.onaudioprocess = (event) => {
      const samples = event.inputBuffer.getChannelData(0);
      let sum = 0;
      for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
      ring.copyWithin(0, samples.length);
      ring.set(samples, WINDOW - samples.length);
      for (let i = 0; i < WINDOW; i++) windowed[i] = ring[i] * hann[i];
      // The window ends "now"; its centre was half a window earlier.
      const row = [now() - (WINDOW / 2 / rate) * 1000, Math.sqrt(sum / samples.length)];
      for (const f of probe.frequencies) row.push(goertzel(windowed, f, rate));
      probe.blocks.push(row);
      if (probe.blocks.length > KEEP_BLOCKS) probe.blocks.splice(0, probe.blocks.length - KEEP_BLOCKS);
    };
    // The processor must reach the destination to run; its output is silence.
    const mute = probe.context.createGain();
    mute.gain.value = 0;
    probe.processor.connect(mute).connect(probe.context.destination);
    probe.context.resume();
    if (element === "microphone") {
      attach(window.__capturedStream);
      setInterval(() => attach(window.__capturedStream), 20);
    } else {
      const media = document.querySelector(element);
      setInterval(() => attach(media.srcObject), 20);
      const root = document.getElementById("listen");
      if (root) {
        const record = () => probe.playback.push([now(), root.dataset.playback || ""]);
        record();
        new MutationObserver(record).observe(root, { attributes: true, attributeFilter: ["data-playback"] });
      }
    }
  };

  /** The loudest frequency the AnalyserNode sees right now (Hz), and its level (dB). */
  probe.peak = () => {
    const bins = new Float32Array(probe.analyser.frequencyBinCount);
    probe.analyser.getFloatFrequencyData(bins);
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return { hz: (best * probe.context.sampleRate) / probe.analyser.fftSize, db: bins[best] };
  };

  /** Blocks recorded since `since_ms` (shared clock). */
  probe.since = (since) => probe.blocks.filter((row) => row[0] >= since);
  probe.now = now;
  return probe;
  };
  window.__probe = create();
  window.__probe2 = create();
})();

// Keep the page's own microphone stream reachable for the probe ("microphone" mode).
if (navigator.mediaDevices?.getUserMedia && !window.__captureHooked) {
  window.__captureHooked = true;
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (constraints?.audio) window.__capturedStream = stream;
    return stream;
  };
}
