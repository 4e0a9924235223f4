// The interpreter's own name when their invite carries none: asked once, kept for the session.
//
// ownName(root) resolves to the name to send in booth:join, or null when the invite names the
// interpreter (root's data-asks-name is not "true"). The name is kept in localStorage under the
// participant id, which is new for every redemption of an invite: reloads and other tabs of the
// same session reuse it, and the next person to redeem the invite is asked again.

export const NAME_MAX = 100; // the server's limit for booth:join's display_name

const storageKey = (participantId) => `voxbento.name:${participantId}`;

/** Collapse white space and drop control characters, which the kiosk refuses. */
export function cleanName(text) {
  return String(text ?? "")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ")
    .slice(0, NAME_MAX);
}

function remembered(participantId) {
  try {
    return cleanName(localStorage.getItem(storageKey(participantId)));
  } catch {
    return ""; // storage blocked: ask every time rather than fail
  }
}

function remember(participantId, name) {
  try {
    localStorage.setItem(storageKey(participantId), name);
  } catch {
    // Storage blocked or full: the name still holds for this page.
  }
}

function buildDialog() {
  const dialog = document.createElement("dialog");
  dialog.id = "name-dialog";
  dialog.className = "bx-dialog";
  dialog.setAttribute("aria-labelledby", "name-heading");
  const form = document.createElement("form");
  form.method = "dialog";
  const heading = document.createElement("h2");
  heading.id = "name-heading";
  heading.textContent = "What is your name?";
  const help = document.createElement("p");
  help.className = "bx-hint";
  help.textContent = "Your booth partners and the technician see it next to the microphone.";
  const label = document.createElement("label");
  label.htmlFor = "name-input";
  label.className = "bx-label";
  label.textContent = "Your name";
  const input = document.createElement("input");
  input.id = "name-input";
  input.className = "bx-input";
  input.autocomplete = "name";
  input.required = true;
  input.maxLength = NAME_MAX;
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "bx-btn bx-go";
  button.textContent = "Join the booth";
  const row = document.createElement("div");
  row.className = "bx-row";
  row.append(input, button);
  form.append(heading, help, label, row);
  dialog.append(form);
  return { dialog, form, input };
}

function ask(root) {
  const { dialog, form, input } = buildDialog();
  root.append(dialog);
  return new Promise((resolve) => {
    // Escape would close the dialog without a name; the booth needs one.
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    form.addEventListener("submit", (e) => {
      const name = cleanName(input.value);
      if (!name) {
        e.preventDefault();
        input.value = "";
        input.focus();
        return;
      }
      dialog.close();
      dialog.remove();
      resolve(name);
    });
    dialog.showModal();
    input.focus();
  });
}

export async function ownName(root) {
  if (root.dataset.asksName !== "true") return null;
  const participantId = root.dataset.participantId;
  const known = remembered(participantId);
  if (known) return known;
  const name = await ask(root);
  remember(participantId, name);
  return name;
}
