// A JSON websocket that reconnects with backoff and keeps itself alive with pings.
//
// new LiveSocket(path, {onOpen, onMessage, onState}) then .connect().
// onState(state, detail): "connecting" | "open" | "retrying" {delay} | "closed" {code, reason}.
// Close codes that a retry cannot fix (no token, wrong booth, no such booth) end the loop.

import { backoffDelay } from "./whip.js";

const FINAL_CODES = new Set([4001, 4003, 4004]);
const PING_EVERY_MS = 25000;
const STABLE_AFTER_MS = 10000;

export const CLOSE_REASONS = {
  4001: "Your session has ended. Please log in again.",
  4003: "You are not allowed in this booth.",
  4004: "This booth does not exist.",
  4008: "Too many messages; reconnecting.",
  1001: "The kiosk is restarting.",
  1009: "A message was too large.",
};

export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class LiveSocket {
  constructor(path, handlers = {}) {
    this.path = path;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.closed = false;
    this.pingTimer = null;
    this.retryTimer = null;
  }

  connect() {
    this.closed = false;
    this.handlers.onState?.("connecting", {});
    const ws = new WebSocket(socketUrl(this.path));
    this.ws = ws;
    let openedAt = 0;
    ws.addEventListener("open", () => {
      openedAt = Date.now();
      this.handlers.onState?.("open", {});
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
      this.handlers.onOpen?.();
    });
    ws.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message && typeof message.type === "string") this.handlers.onMessage?.(message);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (openedAt && Date.now() - openedAt > STABLE_AFTER_MS) this.attempt = 0;
      const reason = CLOSE_REASONS[event.code] || event.reason || "Connection lost.";
      if (this.closed || FINAL_CODES.has(event.code)) {
        this.handlers.onState?.("closed", { code: event.code, reason });
        return;
      }
      // A rate-limit close asks us to back off harder than a network blip does.
      const delay = backoffDelay(this.attempt++ + (event.code === 4008 ? 3 : 0), 500, 15000);
      this.handlers.onState?.("retrying", { delay, code: event.code, reason });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Send one message; false when the socket is not open (the caller may show that). */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.ws?.close(1000);
  }
}
