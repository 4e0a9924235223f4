// Listener page: pick a language, hear it over WHEP, read live captions.

import { LiveSocket } from "./socket.js";
import { play } from "./whip.js";

const root = document.getElementById("listen");
const { event, room } = root.dataset;
const roomId = `${event}/${room}`;
const codeRequired = root.dataset.codeRequired === "true";
const $ = (id) => document.getElementById(id);
const CAPTION_PREF = "voxbento.captions";
const TOKEN_KEY = `voxbento.listener.${roomId}`;
const MIN_READ_MS = 4000; // the least time a final stays up before a clear may wipe it
const MAX_CAPTION_LINES = 40;
// A final that goes on with a sentence the last one left open joins its paragraph, up to this
// length. It goes on when it does not start with a capital (which Whisper writes at a
// sentence's start, and for names: those still start a new paragraph) and the last final has
// no sentence end, or ends in a full stop that only the cut put there: Whisper closes the
// audio it is given with one, and a phrase decoded alone gets it ("slightly." "lower in
// intensity."). The full stop of an abbreviation or an initial, and a trailing-off "...",
// stay, and the sentence goes on.
const MAX_PARAGRAPH_CHARS = 240;
const SENTENCE_END = /[.!?…:;"”')\]]$/;
const STARTS_CAPITAL = /^\p{Lu}/u;
const STARTS_LOWER = /^\p{Ll}/u;
// The caption aggregator's list ("mr.", "e.g.", ...), given by the page.
const ABBREVIATIONS = new Set((root.dataset.abbreviations || "").split(" ").filter(Boolean));
// Why a channel whose interpreter has the mic is not on air (listen:state `media`).
const MEDIA_PROBLEMS = { "no-server": "no media server", "not-sending": "not sending" };

const view = {
  channels: new Map(), // channel id -> {booth_id, language_name, on_air, muted, listeners, transcription}
  selected: null,
  session: null,
  token: null,
  tokenExpires: 0,
  whepBase: `/media/${roomId}`,
  lastSeq: -1,
  lastFinalAt: 0, // Date.now() of the last final shown
};

// ---------- tokens ----------

function storedToken() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
    if (saved && Date.parse(saved.expires_at) > Date.now() + 60000) return saved;
  } catch { /* a corrupt entry just means asking again */ }
  return null;
}

async function fetchToken(code) {
  const body = new URLSearchParams();
  if (code !== undefined) body.set("code", code);
  const response = await fetch(`/listen/${roomId}/token`, {
    method: "POST",
    headers: { Accept: "application/json" },
    body,
    credentials: "same-origin",
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    const fallback = response.status === 403 ? "That code is not right." : "Could not get access; try again.";
    const error = new Error(answer.message || fallback);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function useToken(grant) {
  view.token = grant.token;
  view.tokenExpires = Date.parse(grant.expires_at) || Date.now() + 3600000;
  if (grant.whep_base) view.whepBase = grant.whep_base.replace(/\/$/, "");
  if (codeRequired) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(grant));
}

async function currentToken() {
  if (view.token && view.tokenExpires > Date.now() + 60000) return view.token;
  if (codeRequired) return view.token; // a code token cannot be renewed without the code
  useToken(await fetchToken());
  return view.token;
}

// ---------- channels ----------

function channelLabel(channel) {
  if (channel.booth_id.endsWith("/floor")) return channel.on_air === false ? "off" : "original";
  if (!channel.on_air) return (channel.active && MEDIA_PROBLEMS[channel.media]) || "off air";
  if (channel.muted) return "muted";
  return channel.switching ? "switching interpreters" : "on air";
}

function renderChannels() {
  const box = $("channels");
  const buttons = new Map([...box.querySelectorAll("[data-channel]")].map((b) => [b.dataset.channel, b]));
  for (const [id, channel] of view.channels) {
    let button = buttons.get(id);
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "lp-channel";
      button.dataset.channel = id;
      button.innerHTML = '<span class="lp-name"></span><span class="lp-tag"></span>';
      box.append(button);
    }
    buttons.delete(id);
    button.querySelector(".lp-name").textContent = channel.language_name;
    button.querySelector(".lp-tag").textContent = channelLabel(channel);
    button.dataset.onAir = String(channel.on_air !== false);
    button.dataset.switching = String(!!channel.switching);
    button.setAttribute("aria-pressed", String(view.selected === id));
  }
  // Channels that vanished from the state (a booth removed) go away, unless state is unknown yet.
  if (view.channels.size) for (const gone of buttons.values()) gone.remove();
}

function isFloor(id) {
  return id.endsWith("/floor");
}

function channelOnAir(id) {
  const channel = view.channels.get(id);
  if (!channel) return true;
  return channel.on_air !== false;
}

function offAirText(id) {
  const channel = view.channels.get(id);
  const problem = channel?.active && MEDIA_PROBLEMS[channel.media];
  return problem
    ? `${nameOf(id)}: ${problem}. The sound starts by itself once it is back.`
    : `${nameOf(id)} is off air. It starts by itself when the interpreter is back.`;
}

function whepUrl(id) {
  return `${view.whepBase}/${id.split("/").pop()}/whep`;
}

// ---------- playback ----------

function setStatus(kind, text) {
  $("status-dot").dataset.kind = kind;
  $("status-text").textContent = text;
  root.dataset.playback = kind;
}

function nameOf(id) {
  return view.channels.get(id)?.language_name || (isFloor(id) ? "Floor" : id.split("/").pop());
}

function stopSession() {
  view.session?.stop();
  view.session = null;
}

function startPlayback() {
  const id = view.selected;
  stopSession();
  if (!id) return;
  if (!channelOnAir(id)) {
    setStatus("off", offAirText(id));
    return;
  }
  const audio = $("audio");
  view.session = play(whepUrl(id), view.token, {
    getToken: currentToken,
    onTrack: (stream) => {
      audio.srcObject = stream;
      audio.play().catch(() => setStatus("paused", "Tap the language again to start the sound."));
    },
    onState: (state, detail) => {
      if (view.selected !== id) return;
      const name = nameOf(id);
      if (state === "connecting") setStatus("switching", `Connecting to ${name}…`);
      else if (state === "live") setStatus(channelOnAir(id) ? "live" : "off", channelOnAir(id) ? `Listening to ${name}` : offAirText(id));
      else if (state === "retrying") setStatus("switching", `Waiting for ${name}… trying again in ${Math.ceil(detail.delay / 1000)} s`);
      else if (state === "failed") setStatus("off", `${name} could not be played (${detail.error?.message || "error"}).`);
    },
  });
}

function select(id) {
  // Phones allow sound only from a tap; starting the element inside the tap unlocks it for
  // the stream that arrives a moment later.
  $("audio").play().catch(() => {});
  const changed = view.selected !== id;
  view.selected = id;
  $("stop").hidden = false;
  renderChannels();
  if (changed) {
    setStatus("switching", `Switching to ${nameOf(id)}…`);
    resetCaptions();
    socket?.send({ type: "listen:select", booth_id: id });
  }
  // Even a repeated tap restarts playback: it is the gesture that unblocks audio on phones.
  startPlayback();
  // On a screen too short for the chooser and the captions together, the caption box starts
  // below the fold: the tap that asked for it brings it into sight.
  if (!$("captions").hidden) $("captions").scrollIntoView({ block: "nearest" });
}

function stop() {
  stopSession();
  view.selected = null;
  $("audio").srcObject = null;
  $("stop").hidden = true;
  renderChannels();
  resetCaptions();
  setStatus("idle", "Stopped. Tap a language to listen.");
}

// ---------- captions ----------

function endsWithKeptStop(text) {
  if (/(\.\.\.|…)$/.test(text)) return true;
  const word = text.split(/\s+/).pop().toLowerCase();
  return ABBREVIATIONS.has(word) || /^\p{L}\.$/u.test(word); // "vs.", "Dr.", an initial "J."
}

function captionsWanted() {
  return localStorage.getItem(CAPTION_PREF) !== "off";
}

function resetCaptions() {
  $("captions-text").replaceChildren();
  $("captions-partial").textContent = "";
  view.lastSeq = -1;
  updateCaptionPanel();
}

function updateCaptionPanel() {
  const id = view.selected;
  const show = captionsWanted() && id && !isFloor(id);
  $("captions").hidden = !show;
  if (!show) return;
  const panel = $("captions-text");
  if (!panel.childElementCount && !$("captions-partial").textContent) {
    const captioned = view.channels.get(id)?.transcription;
    $("captions").dataset.empty = captioned === false ? "none" : "waiting";
  } else {
    delete $("captions").dataset.empty;
  }
}

function onCaption(message) {
  if (message.booth_id !== view.selected) return;
  const panel = $("captions-text");
  const partial = $("captions-partial");
  if (message.status === "clear") {
    // A stream that ends sends its last final and `clear` together: keep the final up long
    // enough to be read, unless newer captions replace it first.
    const shownFor = Date.now() - view.lastFinalAt;
    const wipe = () => { panel.replaceChildren(); partial.textContent = ""; updateCaptionPanel(); };
    if (shownFor >= MIN_READ_MS) wipe();
    else {
      const seq = view.lastSeq;
      setTimeout(() => { if (view.lastSeq === seq && !partial.textContent) wipe(); }, MIN_READ_MS - shownFor);
    }
  } else if (message.status === "partial") {
    partial.textContent = message.text;
  } else if (message.status === "final") {
    if (typeof message.seq === "number" && message.seq <= view.lastSeq) return;
    view.lastSeq = message.seq ?? view.lastSeq;
    view.lastFinalAt = Date.now();
    // Finals settled while the speaker talks on can end mid-sentence ("This is the acoustic",
    // then "corpus."): the rest of the sentence joins the paragraph, so it reads as one.
    const last = panel.lastElementChild;
    const before = last?.textContent ?? "";
    const lower = STARTS_LOWER.test(message.text);
    const open = !SENTENCE_END.test(before) && !STARTS_CAPITAL.test(message.text);
    const afterKeptStop = lower && endsWithKeptStop(before);
    const cut = lower && !afterKeptStop && before.endsWith(".");
    if (last && (open || afterKeptStop || cut) && before.length < MAX_PARAGRAPH_CHARS) {
      // Appended as a text node of its own: a screen reader announces the new words only, not
      // the whole paragraph again.
      if (cut) last.lastChild.data = last.lastChild.data.slice(0, -1);
      last.append(` ${message.text}`);
    } else {
      const line = document.createElement("p");
      line.textContent = message.text;
      panel.append(line);
    }
    while (panel.childElementCount > MAX_CAPTION_LINES) panel.firstElementChild.remove();
    partial.textContent = "";
  }
  updateCaptionPanel();
  $("captions").scrollTop = $("captions").scrollHeight;
}

// ---------- socket ----------

function onState(message) {
  const list = message.channels || message.booths || [];
  view.channels = new Map(list.map((c) => [c.booth_id, c]));
  renderChannels();
  updateCaptionPanel();
  const id = view.selected;
  if (!id) return;
  const session = view.session;
  if (channelOnAir(id)) {
    if (!session || session.state === "failed") startPlayback();
    else if (session.state === "live") setStatus("live", `Listening to ${nameOf(id)}`);
  } else if (session?.state === "live") {
    // A booth's stream outlives its publisher (MediaMTX plays silence meanwhile), so a
    // playing session stays: no reconnect when the interpreter is back.
    setStatus("off", offAirText(id));
  } else if (session) {
    startPlayback(); // shows why it is off air, stops retrying
  }
}

let socket = null;

function openSocket() {
  const query = codeRequired ? `?token=${encodeURIComponent(view.token)}` : "";
  socket = new LiveSocket(`/ws/listen/${roomId}${query}`, {
    onOpen: () => {
      if (view.selected) socket.send({ type: "listen:select", booth_id: view.selected });
    },
    onMessage: (message) => {
      if (message.type === "listen:state") onState(message);
      else if (message.type === "caption") onCaption(message);
    },
    onState: (state, detail) => {
      root.dataset.socket = state;
      const text = state === "retrying" ? `Connection lost; retrying in ${Math.ceil(detail.delay / 1000)} s…`
        : state === "closed" ? detail.reason : "";
      $("connection").textContent = text;
    },
  });
  socket.connect();
}

// ---------- start ----------

function startListening() {
  $("code-form").hidden = true;
  $("player").hidden = false;
  openSocket();
}

function setupCodeForm() {
  $("code-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("code-error").textContent = "";
    try {
      useToken(await fetchToken($("code-input").value.trim()));
      startListening();
    } catch (error) {
      $("code-error").textContent = error.message;
    }
  });
}

$("channels").addEventListener("click", (e) => {
  const button = e.target.closest("[data-channel]");
  if (button) select(button.dataset.channel);
});
$("stop").addEventListener("click", stop);
$("captions-toggle").checked = captionsWanted();
$("captions-toggle").addEventListener("change", (e) => {
  localStorage.setItem(CAPTION_PREF, e.target.checked ? "on" : "off");
  updateCaptionPanel();
});

if (codeRequired) {
  const saved = storedToken();
  if (saved) {
    useToken(saved);
    startListening();
  } else {
    setupCodeForm();
  }
} else {
  startListening();
}
