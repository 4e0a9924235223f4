// Technicians' web console: one booth socket per card, with set-active, cancel and mute.

import { MEDIA_PROBLEMS, MEDIA_WORDS, formatDuration, nameOf, secondsOnAir, toast } from "./booth-view.js";
import { LiveSocket } from "./socket.js";

const root = document.getElementById("console");
const shiftSeconds = Number(root.dataset.shiftMinutes || 30) * 60;

class BoothCard {
  constructor(card) {
    this.card = card;
    this.boothId = card.dataset.boothId;
    this.state = null;
    this.socket = new LiveSocket(`/ws/booth/${this.boothId}`, {
      onOpen: () => this.socket.send({ type: "booth:join" }),
      onMessage: (message) => this.onMessage(message),
      onState: (state, detail) => {
        card.dataset.socket = state;
        this.field("status").textContent = state === "retrying"
          ? `Reconnecting in ${Math.ceil(detail.delay / 1000)} s…`
          : state === "closed" ? detail.reason : "";
      },
    });
    card.querySelector('[data-action="set-active"]').addEventListener("click", () => {
      const participantId = this.field("choose").value;
      if (participantId) this.send({ type: "booth:set-active", participant_id: participantId });
    });
    card.querySelector('[data-action="cancel"]').addEventListener("click", () => this.send({ type: "booth:handover:cancel" }));
    card.querySelector('[data-action="mute"]').addEventListener("click", () => {
      this.send({ type: "booth:mute", muted: !this.state?.muted });
    });
    this.socket.connect();
  }

  field(name) {
    return this.card.querySelector(`[data-field="${name}"]`);
  }

  send(message) {
    if (!this.socket.send(message)) toast(document.getElementById("toasts"), "Not connected to this booth.");
  }

  onMessage(message) {
    if (message.type === "booth:joined" || message.type === "booth:state") this.render(message.state);
    else if (message.type === "booth:error") {
      toast(document.getElementById("toasts"), `${this.boothId}: ${message.message || message.code}`);
    }
  }

  render(state) {
    if (!state) return;
    this.state = state;
    const onAir = !!state.active_id;
    // Someone has the mic, but "ON AIR" only when their stream really arrives in MediaMTX.
    const problem = onAir && !state.on_air ? MEDIA_PROBLEMS[state.media] : null;
    this.card.dataset.air = problem ? "problem" : onAir ? "on" : "off";
    this.card.dataset.muted = String(!!state.muted);
    this.field("pill").textContent = !onAir ? "OFF AIR" : problem ? problem.toUpperCase() : state.muted ? "MUTED" : "ON AIR";
    this.field("active").textContent = onAir ? nameOf(state, state.active_id) : "nobody";
    const handover = state.handover || { state: "idle" };
    this.field("handover").textContent = handover.state === "idle" ? "none"
      : `${nameOf(state, handover.from)} ${handover.state === "offered" ? "offers" : "requests"}${handover.to ? ` (${nameOf(state, handover.to)})` : ""}`;
    this.field("ingest").textContent = MEDIA_WORDS[state.media] || (state.ingest ? "online" : "offline");
    this.field("listeners").textContent = String(state.listeners ?? 0);
    const people = (state.participants || []).filter((p) => p.role === "interpreter");
    this.field("people").textContent = people.length
      ? people.map((p) => `${p.display_name}${p.connected ? "" : " (away)"}`).join(", ")
      : "no interpreters";
    const choose = this.field("choose");
    const keep = choose.value;
    choose.replaceChildren(...people.map((p) => new Option(
      `${p.display_name}${p.participant_id === state.active_id ? " (on air)" : ""}`, p.participant_id,
    )));
    if (!people.length) choose.append(new Option("No interpreter connected", ""));
    if (people.some((p) => p.participant_id === keep)) choose.value = keep;
    this.card.querySelector('[data-action="cancel"]').disabled = handover.state === "idle";
    const mute = this.card.querySelector('[data-action="mute"]');
    mute.disabled = !onAir;
    mute.setAttribute("aria-pressed", String(!!state.muted));
    mute.textContent = state.muted ? "Unmute" : "Mute";
    this.tick();
  }

  tick() {
    if (!this.state) return;
    const seconds = secondsOnAir(this.state);
    const time = this.field("time");
    time.textContent = seconds === null ? "–" : formatDuration(seconds);
    time.dataset.warn = String(seconds !== null && seconds > shiftSeconds);
  }
}

const cards = [...root.querySelectorAll("[data-booth-id]")].map((card) => new BoothCard(card));
setInterval(() => cards.forEach((c) => c.tick()), 1000);

// ---------- floors: polled, since they have no socket of their own ----------

const FLOOR_POLL_MS = 2000;

async function refreshFloors() {
  const list = document.getElementById("floors");
  if (!list) return;
  try {
    const response = await fetch(`/console/${root.dataset.event}/floors`, { cache: "no-store" });
    if (response.ok) {
      for (const floor of (await response.json()).floors) {
        const item = list.querySelector(`[data-floor="${CSS.escape(floor.path)}"]`);
        if (!item) continue;
        item.dataset.state = floor.state;
        item.querySelector('[data-field="state"]').textContent = floor.state;
        item.querySelector('[data-field="source"]').textContent = floor.source;
      }
    }
  } catch {
    // The console's own sockets already say when the kiosk is unreachable.
  }
  setTimeout(refreshFloors, FLOOR_POLL_MS);
}

refreshFloors();
