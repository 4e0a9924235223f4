// Interpreter console: booth socket, go-live over WHIP, cough, handover, relay, chat.

import { MEDIA_PROBLEMS, formatDuration, handoverView, isController, nameOf, secondsOnAir, timeOfDay, toast } from "./booth-view.js";
import { Microphone } from "./mic.js";
import { ownName } from "./name-prompt.js";
import { LiveSocket } from "./socket.js";
import { play, publish } from "./whip.js";

const root = document.getElementById("interpreter");
const { boothId, event, room, role } = root.dataset;
const shiftSeconds = Number(root.dataset.shiftMinutes || 30) * 60;
const $ = (id) => document.getElementById(id);
const TOKEN_FRESH_MS = 10 * 60 * 1000;
// At a handover the outgoing page keeps sending until MediaMTX lets the incoming stream take
// the path over (it then closes ours), so listeners never hear a hole; this is the longest
// it waits for that.
const HANDOVER_KEEP_MS = 10000;

const page = {
  me: null,
  state: null,
  coughing: false,
  session: null, // WHIP publish
  sending: false,
  leaving: null, // timer while handing over: still sending until the incoming stream takes over
  previous: null, // an old WHIP session kept until its fresh replacement is live
  listen: null, // WHEP playback
  token: root.dataset.mediaToken,
  tokenAt: Date.now(),
  joinFields: {}, // display_name, when the invite leaves naming to the interpreter
};

// ---------- media token ----------

async function mediaToken() {
  if (Date.now() - page.tokenAt < TOKEN_FRESH_MS) return page.token;
  const response = await fetch(`/interpreter/${boothId}/media-token`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`media token refused (${response.status})`);
  page.token = (await response.json()).token;
  page.tokenAt = Date.now();
  return page.token;
}

// ---------- socket ----------

const socket = new LiveSocket(`/ws/booth/${boothId}`, {
  onOpen: () => socket.send({ type: "booth:join", ...page.joinFields }),
  onMessage: (message) => {
    if (message.type === "booth:joined") {
      page.me = message.participant?.participant_id ?? message.participant;
      root.dataset.joined = "true";
      renderChat(message.chat || [], true);
      applyState(message.state);
      if (page.sending) socket.send({ type: "booth:ingest", connected: true });
    } else if (message.type === "booth:state") {
      applyState(message.state);
    } else if (message.type === "booth:chat") {
      renderChat([message.message], false);
    } else if (message.type === "booth:error") {
      toast($("toasts"), message.message || message.code);
    }
  },
  onState: (state, detail) => {
    root.dataset.socket = state;
    if (state !== "open") root.dataset.joined = "false";
    $("connection").textContent = state === "retrying"
      ? `Connection to the kiosk lost; retrying in ${Math.ceil(detail.delay / 1000)} s…`
      : state === "closed" ? detail.reason : "";
    if (state === "closed" || state === "retrying") syncPublishing();
  },
});

function send(type, fields = {}) {
  if (!socket.send({ type, ...fields })) toast($("toasts"), "Not connected to the kiosk yet.");
}

// ---------- state ----------

function amActive() {
  return !!page.me && page.state?.active_id === page.me;
}

function applyState(state) {
  if (!state) return;
  page.state = state;
  renderStatus();
  renderParticipants();
  renderHandover();
  renderRelay();
  applyMute();
  syncPublishing();
}

function renderStatus() {
  const state = page.state;
  const pill = $("air-pill");
  // "On air" only when the stream really arrives in MediaMTX; otherwise say what is wrong.
  const problem = state.active_id && !state.on_air ? MEDIA_PROBLEMS[state.media] : null;
  let text;
  if (amActive() && problem) text = `You have the mic · ${problem}`;
  else if (amActive()) text = state.muted ? "You are on air · muted" : "You are on air";
  else if (state.active_id && problem) text = `${nameOf(state, state.active_id)} has the mic · ${problem}`;
  else if (state.active_id) text = `${nameOf(state, state.active_id)} is on air`;
  else text = "Nobody on air";
  pill.dataset.air = problem ? "problem" : amActive() ? (state.muted ? "muted" : "me") : state.active_id ? "other" : "off";
  root.dataset.media = state.media || "";
  $("air-text").textContent = text;
  $("audience").textContent = String(state.listeners ?? 0);
  $("relay-label").textContent = state.relay_label || "floor";
  $("cough").disabled = !(amActive() || isController(role));
  renderShift();
}

function renderShift() {
  const seconds = page.state ? secondsOnAir(page.state) : null;
  const over = seconds !== null && seconds > shiftSeconds;
  $("shift").dataset.warn = String(over);
  $("shift-time").textContent = seconds === null ? "–" : formatDuration(seconds) + (over ? " · time to hand over" : "");
}

function renderParticipants() {
  const state = page.state;
  const list = $("participants");
  const canPass = isController(role) || amActive();
  list.replaceChildren(...(state.participants || []).map((p) => {
    const item = document.createElement("li");
    item.className = "bx-person";
    item.dataset.connected = String(p.connected);
    item.dataset.active = String(p.participant_id === state.active_id);
    const name = document.createElement("span");
    name.className = "bx-person-name";
    name.textContent = p.display_name + (p.participant_id === page.me ? " (you)" : "");
    const meta = document.createElement("span");
    meta.className = "bx-person-meta";
    const bits = [p.role, p.connected ? "connected" : "reconnecting…"];
    if (p.participant_id === state.active_id) bits.unshift("ON AIR");
    meta.textContent = bits.join(" · ");
    item.append(name, meta);
    if (canPass && p.participant_id !== state.active_id && p.role === "interpreter" && p.connected) {
      const give = document.createElement("button");
      give.type = "button";
      give.className = "bx-btn bx-small";
      give.textContent = "Give mic";
      give.setAttribute("aria-label", `Give the mic to ${p.display_name}`);
      give.addEventListener("click", () => send("booth:set-active", { participant_id: p.participant_id }));
      item.append(give);
    }
    return item;
  }));
}

function renderHandover() {
  const view = handoverView(page.state, page.me, role);
  for (const key of ["offer", "request", "accept", "decline", "cancel"]) $(`ho-${key}`).disabled = !view[key];
  $("handover-text").textContent = view.summary;
  const banner = $("banner");
  banner.hidden = !view.banner;
  banner.dataset.urgent = String(view.urgent);
  $("banner-text").textContent = view.banner;
  $("banner-accept").hidden = !view.accept;
  $("banner-decline").hidden = !view.decline;
  $("banner-cancel").hidden = !view.cancel;
}

function renderRelay() {
  const mine = page.state.participants?.find((p) => p.participant_id === page.me);
  const select = $("relay-select");
  if (mine?.relay && document.activeElement !== select && select.value !== mine.relay) {
    select.value = mine.relay;
    if (page.listen) startListening();
  }
}

// ---------- microphone and go-live ----------

const mic = new Microphone({
  select: $("mic-select"),
  meterBar: $("meter-bar"),
  meter: document.querySelector(".bx-meter"),
  onStream: (stream) => {
    $("mic-enable").hidden = true;
    page.session?.replaceTrack(stream.getAudioTracks()[0]);
    applyMute();
    syncPublishing();
  },
  onError: (text) => {
    $("mic-enable").hidden = false;
    toast($("toasts"), text);
  },
});

function applyMute() {
  mic.setEnabled(!(page.coughing || page.state?.muted));
}

function setIngest(kind, text) {
  $("ingest-text").dataset.kind = kind;
  $("ingest-text").textContent = text;
  const connected = kind === "live";
  if (connected !== page.sending) {
    page.sending = connected;
    // Only the active interpreter reports; the server refuses anyone else's report.
    if (amActive()) socket.send({ type: "booth:ingest", connected });
  }
}

function stopPublishing() {
  clearTimeout(page.leaving);
  page.leaving = null;
  page.session?.stop();
  page.session = null;
  setIngest("idle", amActive() ? "Waiting for the microphone…" : "Not sending (you are not on air)");
}

function handingOver() {
  // Make before break: someone else holds the mic now and our stream is up; keep it until
  // MediaMTX switches the path to theirs (our session then ends) or HANDOVER_KEEP_MS passes.
  return page.session?.state === "live" && !!page.state?.active_id && root.dataset.socket === "open";
}

function retirePrevious() {
  page.previous?.stop();
  page.previous = null;
}

function startPublishing() {
  let session = null;
  session = publish(mic.stream, `/media/${boothId}/whip`, page.token, {
    getToken: mediaToken,
    onState: (state, detail) => {
      if (session !== null && session === page.previous) {
        // A stream this page replaced: whatever happens to it now, it never reconnects.
        if (state !== "live" && state !== "stopped") retirePrevious();
        return;
      }
      // Once handing over, the end of our session means the incoming stream took over.
      if (page.leaving) { if (state !== "live" && state !== "stopped") stopPublishing(); return; }
      if (state === "connecting") setIngest("connecting", "Connecting to the media server…");
      else if (state === "live") {
        retirePrevious(); // the fresh stream has taken the path over from our old one
        setIngest("live", "Live: your voice reaches the audience");
      } else if (state === "retrying") setIngest("retrying", `Media server unreachable; retrying in ${Math.ceil(detail.delay / 1000)} s`);
      else if (state === "failed") setIngest("failed", `Could not send audio: ${detail.error?.message || "error"}`);
    },
  });
  page.session = session;
}

function syncPublishing() {
  // A socket blip must not cut the audio: the server keeps the mic for 20 s, so only a
  // final close (or the state saying someone else is on air) stops publishing.
  const want = amActive() && !!mic.stream && root.dataset.socket !== "closed";
  if (want && page.leaving) {
    // The mic came back mid-handover. MediaMTX may already have given the path to the
    // partner and closed our stream without the browser noticing yet, so publish afresh and
    // keep the old stream only until the new one is live (make before break again).
    clearTimeout(page.leaving);
    page.leaving = null;
    retirePrevious();
    page.previous = page.session;
    page.session = null;
  }
  if (want && !page.session) {
    startPublishing();
  } else if (!want && page.session && !page.leaving) {
    retirePrevious();
    if (!amActive() && handingOver()) {
      page.leaving = setTimeout(stopPublishing, HANDOVER_KEEP_MS);
      setIngest("handing-over", "Handing over: still sending until your partner's audio takes over");
    } else {
      stopPublishing();
    }
  } else if (!want && page.leaving && root.dataset.socket === "closed") {
    stopPublishing();
  } else if (!want && !mic.stream) {
    $("ingest-text").textContent = "Microphone not available";
  }
}

// ---------- cough button ----------

function cough(down) {
  if (down === page.coughing || $("cough").disabled) return;
  page.coughing = down;
  $("cough").setAttribute("aria-pressed", String(down));
  applyMute();
  socket.send({ type: "booth:mute", muted: down });
}

const coughButton = $("cough");
coughButton.addEventListener("pointerdown", (e) => { coughButton.setPointerCapture(e.pointerId); cough(true); });
for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) coughButton.addEventListener(type, () => cough(false));
coughButton.addEventListener("contextmenu", (e) => e.preventDefault());
// Space coughs unless it belongs to a field or to another button (which Space presses).
const typing = (el) => el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
const ownsSpace = (el) => typing(el) || (el?.closest?.("button, a") && el !== coughButton);
document.addEventListener("keydown", (e) => {
  if (e.code !== "Space" || ownsSpace(e.target)) return;
  e.preventDefault();
  if (!e.repeat) cough(true);
});
document.addEventListener("keyup", (e) => {
  if (e.code === "Space" && page.coughing) { e.preventDefault(); cough(false); }
});
window.addEventListener("blur", () => cough(false));

// ---------- handover ----------

const handoverActions = {
  offer: "booth:handover:offer",
  request: "booth:handover:request",
  accept: "booth:handover:accept",
  decline: "booth:handover:decline",
  cancel: "booth:handover:cancel",
};
for (const [key, type] of Object.entries(handoverActions)) {
  $(`ho-${key}`).addEventListener("click", () => send(type));
  if ($(`banner-${key}`)) $(`banner-${key}`).addEventListener("click", () => send(type));
}

// ---------- relay and playback ----------

function whepUrl(source) {
  return source === "floor" ? `/media/${event}/${room}/floor/whep` : `/media/${source}/whep`;
}

function startListening() {
  page.listen?.stop();
  const source = $("relay-select").value;
  const label = $("relay-select").selectedOptions[0]?.textContent || source;
  const audio = $("listen-audio");
  audio.volume = Number($("listen-volume").value);
  page.listen = play(whepUrl(source), page.token, {
    getToken: mediaToken,
    onTrack: (stream) => { audio.srcObject = stream; audio.play().catch(() => {}); },
    onState: (state, detail) => {
      const text = state === "live" ? `Playing ${label}`
        : state === "connecting" ? `Connecting to ${label}…`
        : state === "retrying" ? `${label} unavailable; retrying in ${Math.ceil(detail.delay / 1000)} s`
        : state === "failed" ? `${label} could not be played` : "Not playing.";
      $("listen-text").textContent = text;
    },
  });
  $("listen-toggle").setAttribute("aria-pressed", "true");
  $("listen-toggle").textContent = "Stop";
}

function stopListening() {
  page.listen?.stop();
  page.listen = null;
  $("listen-audio").srcObject = null;
  $("listen-toggle").setAttribute("aria-pressed", "false");
  $("listen-toggle").textContent = "Listen";
  $("listen-text").textContent = "Not playing.";
}

$("listen-toggle").addEventListener("click", () => (page.listen ? stopListening() : startListening()));
$("listen-volume").addEventListener("input", (e) => { $("listen-audio").volume = Number(e.target.value); });
$("relay-select").addEventListener("change", (e) => {
  send("booth:relay", { source: e.target.value });
  if (page.listen) startListening();
});

// ---------- chat ----------

function renderChat(messages, replace) {
  const log = $("chat-log");
  const items = messages.filter(Boolean).map((m) => {
    const item = document.createElement("li");
    item.dataset.mine = String(m.sender_id === page.me);
    const who = document.createElement("span");
    who.className = "bx-chat-who";
    who.textContent = `${m.sender_name || "?"} · ${timeOfDay(m.sent_at)}`;
    const body = document.createElement("span");
    body.className = "bx-chat-body";
    body.textContent = m.body ?? m.text ?? "";
    item.append(who, body);
    return item;
  });
  if (replace) log.replaceChildren(...items);
  else log.append(...items);
  log.scrollTop = log.scrollHeight;
}

$("chat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text) return;
  send("booth:chat", { text });
  $("chat-input").value = "";
});

// ---------- start ----------

$("mic-enable").addEventListener("click", () => mic.open());
setInterval(renderShift, 1000);
ownName(root).then((name) => {
  if (name) page.joinFields = { display_name: name };
  socket.connect();
});
mic.open();
