// Microphone: device picker, capture with speech-friendly constraints, and a level meter.

const DEVICE_KEY = "voxbento.mic";

export class Microphone {
  /** select: <select>, meter: the bar element, onStream(stream|null) when capture changes. */
  /** constraints: overrides of the speech-friendly capture settings (the floor page's line-in). */
  constructor({ select, meterBar, meter, onStream, onError, constraints }) {
    this.constraints = constraints || {};
    this.select = select;
    this.meterBar = meterBar;
    this.meter = meter;
    this.onStream = onStream;
    this.onError = onError;
    this.stream = null;
    this.context = null;
    this.frame = 0;
    select.addEventListener("change", () => {
      localStorage.setItem(DEVICE_KEY, select.value);
      this.open(select.value);
    });
    navigator.mediaDevices?.addEventListener?.("devicechange", () => this.listDevices());
  }

  get track() {
    return this.stream?.getAudioTracks()[0] || null;
  }

  async listDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "audioinput");
    const current = this.track?.getSettings().deviceId || localStorage.getItem(DEVICE_KEY) || "";
    this.select.replaceChildren(
      ...devices.map((d, i) => new Option(d.label || `Microphone ${i + 1}`, d.deviceId, false, d.deviceId === current)),
    );
    if (!devices.length) this.select.append(new Option("No microphone found", ""));
  }

  /** Capture the chosen (or remembered) device; returns the stream or null. */
  async open(deviceId = localStorage.getItem(DEVICE_KEY) || "") {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.onError?.("This browser cannot use a microphone here (HTTPS is needed).");
      return null;
    }
    const audio = {
      echoCancellation: false, // interpreters wear headphones; cancellation only dulls the voice
      noiseSuppression: true,
      autoGainControl: true,
      channelCount: 1,
      ...this.constraints,
    };
    if (deviceId) audio.deviceId = { exact: deviceId };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio, video: false });
    } catch (error) {
      if (deviceId && error.name === "OverconstrainedError") return this.open("");
      this.onError?.(`Microphone unavailable: ${error.message || error.name}`);
      return null;
    }
    const previous = this.stream;
    this.stream = stream;
    this.watchLevel(stream);
    await this.listDevices();
    this.onStream?.(stream, previous);
    previous?.getTracks().forEach((t) => t.stop());
    return stream;
  }

  /** Mute or unmute the outgoing track locally (the cough button, or a technician's mute). */
  setEnabled(enabled) {
    if (this.track) this.track.enabled = enabled;
  }

  watchLevel(stream) {
    cancelAnimationFrame(this.frame);
    this.context ??= new AudioContext();
    // Autoplay rules keep the context suspended until the first gesture on the page.
    const resume = () => this.context.resume();
    document.addEventListener("pointerdown", resume, { once: true });
    this.context.resume().catch(() => {});
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 1024;
    this.context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let shown = 0;
    const draw = () => {
      analyser.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      // dBFS from -60 to 0 mapped onto the bar, which is how people judge loudness.
      const db = 20 * Math.log10(peak || 1e-6);
      const level = this.track?.enabled === false ? 0 : Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
      // Rise at once, fall slowly: peaks stay readable, as on a desk's meter.
      shown = Math.max(level, shown - 1.5);
      this.meterBar.style.width = `${shown}%`;
      this.meterBar.dataset.zone = shown > 95 ? "clip" : shown > 80 ? "hot" : "ok";
      this.meter.setAttribute("aria-valuenow", String(Math.round(shown)));
      this.frame = requestAnimationFrame(draw);
    };
    draw();
  }
}
