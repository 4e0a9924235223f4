// Floor page: a line-in from the mixing desk, published by WHIP to the room's floor channel.

import { toast } from "./booth-view.js";
import { Microphone } from "./mic.js";
import { publish } from "./whip.js";

const root = document.getElementById("floor");
const $ = (id) => document.getElementById(id);
const path = root.dataset.floorPath;
const page = { token: root.dataset.mediaToken, session: null };

async function floorToken() {
  const response = await fetch(`/floor/${root.dataset.event}/${root.dataset.room}/media-token`, {
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(response.status === 409 ? "the floor source changed; reload the page" : `token refused (${response.status})`);
  page.token = (await response.json()).token;
  return page.token;
}

function show(kind, text) {
  $("floor-text").dataset.kind = kind;
  $("floor-text").textContent = text;
  $("floor-pill").dataset.air = kind === "live" ? "on" : "off";
  $("floor-state").textContent = kind === "live" ? "Sending" : "Not sending";
}

// A desk's line-in is already mixed: speech processing would only pump and dull it.
const line = new Microphone({
  select: $("mic-select"),
  meterBar: $("meter-bar"),
  meter: document.querySelector(".bx-meter"),
  constraints: { noiseSuppression: false, autoGainControl: false, echoCancellation: false },
  onStream: (stream) => page.session?.replaceTrack(stream.getAudioTracks()[0]),
  onError: (text) => toast($("toasts"), text),
});

async function start() {
  // A click while the input is still opening waits for it instead of being lost.
  if (!line.stream) {
    show("connecting", "Opening the input…");
    await opening;
  }
  if (!line.stream) { show("failed", "No input to send: pick one above."); return; }
  if (page.session) return;
  page.session = publish(line.stream, `/media/${path}/whip`, page.token, {
    getToken: floorToken,
    onState: (state, detail) => {
      if (state === "connecting") show("connecting", "Connecting to the media server…");
      else if (state === "live") show("live", "Sending: listeners and interpreters hear the floor");
      else if (state === "retrying") show("retrying", `Media server unreachable; retrying in ${Math.ceil(detail.delay / 1000)} s`);
      else if (state === "failed") show("failed", `Could not send: ${detail.error?.message || "error"}`);
    },
  });
  $("floor-send").setAttribute("aria-pressed", "true");
  $("floor-send").textContent = "Stop sending";
}

function stop() {
  page.session?.stop();
  page.session = null;
  $("floor-send").setAttribute("aria-pressed", "false");
  $("floor-send").textContent = "Send the floor";
  show("idle", "Not sending.");
}

$("floor-send").addEventListener("click", () => (page.session ? stop() : start()));
const opening = line.open();
