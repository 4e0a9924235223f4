// A small WHIP (publish) and WHEP (play) client for audio, with reconnect and clear states.
//
// publish(stream, url, token, options) and play(url, token, options) each return a session
// with stop(). States reported through options.onState(state, detail):
//   "connecting" -> "live" -> ("retrying" {delay, error} -> "connecting" ...) | "failed" {error}
//   "stopped" after stop().
// The session URL from the answer's Location header is DELETEd on stop and before a retry.

const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const GATHER_WAIT_MS = 1500;
const CONNECT_TIMEOUT_MS = 15000;
// A "disconnected" ICE state often heals by itself; give it this long before starting over.
const DISCONNECT_GRACE_MS = 4000;

/** An HTTP answer other than 201 from the WHIP/WHEP endpoint. */
export class SignalError extends Error {
  constructor(status, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Exponential backoff with jitter, so many phones do not come back in lockstep. */
export function backoffDelay(attempt, start = BACKOFF_START_MS, max = BACKOFF_MAX_MS) {
  const base = Math.min(max, start * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function preferOpus(transceiver) {
  const caps = window.RTCRtpReceiver?.getCapabilities?.("audio");
  if (!caps || !transceiver.setCodecPreferences) return;
  const opus = caps.codecs.filter((c) => /opus/i.test(c.mimeType));
  if (opus.length) transceiver.setCodecPreferences(opus);
}

function gatheringDone(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_WAIT_MS);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
    });
  });
}

function connected(pc) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("media connection timed out")), CONNECT_TIMEOUT_MS);
    const check = () => {
      if (pc.connectionState === "connected") { clearTimeout(timer); resolve(); }
      if (pc.connectionState === "failed" || pc.connectionState === "closed") {
        clearTimeout(timer);
        reject(new Error(`media connection ${pc.connectionState}`));
      }
    };
    pc.addEventListener("connectionstatechange", check);
    check();
  });
}

function broken(pc, signal) {
  return new Promise((resolve) => {
    let timer = null;
    const check = () => {
      const s = pc.connectionState;
      if (s === "failed" || s === "closed") { clearTimeout(timer); resolve(); }
      else if (s === "disconnected" && !timer) timer = setTimeout(resolve, DISCONNECT_GRACE_MS);
      else if (s === "connected") { clearTimeout(timer); timer = null; }
    };
    pc.addEventListener("connectionstatechange", check);
    signal.addEventListener("abort", resolve, { once: true });
  });
}

function sdpFragment(pc, candidates) {
  const sdp = pc.localDescription?.sdp || "";
  const ufrag = /a=ice-ufrag:(.*)/.exec(sdp)?.[1]?.trim();
  const pwd = /a=ice-pwd:(.*)/.exec(sdp)?.[1]?.trim();
  const lines = [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`];
  for (const c of candidates) {
    lines.push(`m=audio 9 UDP/TLS/RTP/SAVPF 0`, `a=mid:${c.sdpMid}`, `a=${c.candidate}`);
  }
  return lines.join("\r\n") + "\r\n";
}

class MediaSession {
  constructor(kind, url, token, options) {
    this.kind = kind;
    this.url = new URL(url, location.href).href;
    this.token = token;
    this.options = options;
    this.state = "idle";
    this.pc = null;
    this.location = null;
    this.abort = new AbortController();
    this.run();
  }

  setState(state, detail = {}) {
    this.state = state;
    this.options.onState?.(state, detail);
  }

  async authHeader() {
    if (this.options.getToken) this.token = await this.options.getToken();
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  buildPeer() {
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    if (this.kind === "publish") {
      for (const track of this.options.stream.getAudioTracks()) {
        preferOpus(pc.addTransceiver(track, { direction: "sendonly", streams: [this.options.stream] }));
      }
    } else {
      preferOpus(pc.addTransceiver("audio", { direction: "recvonly" }));
      pc.addEventListener("track", (e) => {
        this.options.onTrack?.(e.streams[0] || new MediaStream([e.track]));
      });
    }
    return pc;
  }

  async negotiate(pc) {
    const late = [];
    let patching = false;
    let gathered = false;
    pc.addEventListener("icecandidate", (e) => {
      if (!e.candidate || !gathered) return;
      late.push(e.candidate);
      if (patching && this.location) this.patch(pc, late.splice(0));
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringDone(pc);
    gathered = true;
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/sdp", ...(await this.authHeader()) },
      body: pc.localDescription.sdp,
      signal: this.abort.signal,
    });
    if (response.status !== 201 && response.status !== 200) {
      const text = (await response.text()).slice(0, 200);
      throw new SignalError(response.status, text || response.statusText);
    }
    const where = response.headers.get("Location");
    this.location = where ? new URL(where, this.url).href : null;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
    patching = true;
    if (late.length && this.location) this.patch(pc, late.splice(0));
  }

  patch(pc, candidates) {
    // Trickle ICE is optional for the server; a refusal is harmless, so errors are dropped.
    fetch(this.location, {
      method: "PATCH",
      headers: { "Content-Type": "application/trickle-ice-sdpfrag", Authorization: `Bearer ${this.token}` },
      body: sdpFragment(pc, candidates),
    }).catch(() => {});
  }

  teardown() {
    this.pc?.close();
    this.pc = null;
    if (this.location) {
      const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
      fetch(this.location, { method: "DELETE", headers, keepalive: true }).catch(() => {});
      this.location = null;
    }
  }

  fatal(error) {
    if (!(error instanceof SignalError)) return false;
    // Without a way to refresh the token, an auth or format refusal will not fix itself.
    if (this.options.getToken) return error.status === 400 || error.status === 406;
    return [400, 401, 403, 406].includes(error.status);
  }

  async run() {
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        this.setState("connecting", { attempt });
        this.pc = this.buildPeer();
        await this.negotiate(this.pc);
        await connected(this.pc);
        if (signal.aborted) break;
        attempt = 0;
        this.setState("live");
        await broken(this.pc, signal);
        if (signal.aborted) break;
        throw new Error("media connection lost");
      } catch (error) {
        this.teardown();
        if (signal.aborted) break;
        if (this.options.reconnect === false || this.fatal(error)) {
          this.setState("failed", { error });
          return;
        }
        const delay = backoffDelay(attempt++);
        this.setState("retrying", { delay, error });
        await sleep(delay, signal);
      }
    }
    this.teardown();
  }

  /** Swap the microphone track of a live publish session without renegotiating. */
  async replaceTrack(track) {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === "audio" || s.track === null);
    if (sender) await sender.replaceTrack(track);
  }

  stop() {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.teardown();
    this.setState("stopped");
  }
}

/** Publish the audio of `stream` to a WHIP endpoint. options: onState, getToken, reconnect. */
export function publish(stream, url, token, options = {}) {
  return new MediaSession("publish", url, token, { ...options, stream });
}

/** Play a WHEP endpoint. options: onState, onTrack(stream), getToken, reconnect (default on). */
export function play(url, token, options = {}) {
  return new MediaSession("play", url, token, options);
}
