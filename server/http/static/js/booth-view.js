// Pure helpers shared by the interpreter console and the technicians' web console:
// reading a booth snapshot (docs/design.md §7) into what the buttons and banners should say.

export const IDLE = { state: "idle", from: null, to: null };

export function nameOf(state, participantId) {
  if (!participantId) return "";
  const person = state.participants?.find((p) => p.participant_id === participantId);
  return person?.display_name || "someone";
}

export function isController(role) {
  return role === "technician" || role === "admin";
}

/** What one participant may do about the handover right now, and what to tell them. */
export function handoverView(state, me, role) {
  const handover = state.handover || IDLE;
  const active = state.active_id;
  const amActive = !!me && active === me;
  const interpreter = role === "interpreter";
  const others = (state.participants || []).filter(
    (p) => p.participant_id !== me && p.connected && p.role === "interpreter",
  );
  const from = nameOf(state, handover.from);
  const to = handover.to ? nameOf(state, handover.to) : "";
  const mine = handover.from === me;
  let counterpart = false;
  if (handover.state === "offered") {
    counterpart = handover.to ? handover.to === me : !mine && interpreter && !amActive;
  } else if (handover.state === "requested") {
    counterpart = handover.to ? handover.to === me : amActive;
  }
  const view = {
    offer: amActive && handover.state === "idle" && others.length > 0,
    request: interpreter && !amActive && !!active && handover.state === "idle",
    accept: counterpart,
    decline: counterpart,
    cancel: handover.state !== "idle" && (mine || isController(role)),
    banner: "",
    urgent: false,
    summary: "No handover in progress.",
  };
  if (handover.state === "offered") {
    view.summary = `${from} offers the mic${to ? ` to ${to}` : ""}.`;
    if (counterpart) { view.banner = `${from} offers you the mic`; view.urgent = true; }
    else if (mine) view.banner = `You offered the mic${to ? ` to ${to}` : ""}. Waiting for an answer…`;
    else if (isController(role)) view.banner = view.summary;
  } else if (handover.state === "requested") {
    const holder = to || nameOf(state, active) || "the active interpreter";
    view.summary = `${from} asks ${holder} for the mic.`;
    if (counterpart) { view.banner = `${from} asks for the mic`; view.urgent = true; }
    else if (mine) view.banner = `You asked ${holder} for the mic. Waiting for an answer…`;
    else if (isController(role)) view.banner = view.summary;
  }
  return view;
}

/** "12:05" or "1:02:09". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Seconds on mic for a snapshot, or null when nobody is on air. */
export function secondsOnAir(state, nowMs = Date.now()) {
  if (!state.active_id || state.on_air_since == null) return null;
  return nowMs / 1000 - state.on_air_since;
}

export function timeOfDay(value) {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A toast that announces itself and fades after a while. */
export function toast(container, text, kind = "error") {
  const item = document.createElement("div");
  item.className = "bx-toast";
  item.dataset.kind = kind;
  item.textContent = text;
  container.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** What a page says instead of "on air" while someone has the mic (snapshot `media`). */
export const MEDIA_PROBLEMS = { "no-server": "no media server", "not-sending": "not sending" };

/** The "Sending" line of a booth (snapshot `media`). */
export const MEDIA_WORDS = {
  sending: "online",
  "not-sending": "not sending",
  "no-server": "no media server",
  untracked: "not tracked (MediaMTX off)",
};
