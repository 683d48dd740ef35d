// A dialog that picks media from the library through the search API, used
// by the listing media editor.

import { mediaCard } from "./cards.js";
import { $, setText } from "./dom.js";
import { plural } from "./format.js";
import { api } from "./state.js";

const PAGE_SIZE = 24;

let session = null;

/**
 * Open the picker for items of one kind. With `multiple`, at most `maxCount`
 * items can be picked, and picking one more shows `limitMessage` instead.
 * Items in `excludeIds` are shown but cannot be picked. Resolves with the
 * picked items in the order they were picked, or null when cancelled.
 */
export function pickMedia({ kind, title, multiple = false, maxCount = 1, limitMessage = "", excludeIds = [] }) {
  const dialog = $("picker-dialog");
  setText("picker-dialog-title", title);
  setText("picker-message", "");
  $("picker-q").value = "";
  return new Promise((resolve) => {
    session = {
      kind,
      multiple,
      maxCount,
      limitMessage,
      excluded: new Set(excludeIds),
      picked: new Map(),
      results: [],
      cursor: null,
      serial: 0,
      resolve,
      result: null,
    };
    updateCount();
    search(false);
    dialog.showModal();
    $("picker-q").focus();
  });
}

async function search(more) {
  const current = session;
  const serial = ++current.serial;
  let data;
  try {
    data = await api.get("/v1/media", {
      kind: current.kind,
      q: $("picker-q").value.trim(),
      limit: PAGE_SIZE,
      cursor: more ? current.cursor : "",
    });
  } catch (error) {
    if (current === session) setText("picker-message", `The search failed: ${error.message}`);
    return;
  }
  if (current !== session || serial !== current.serial) return;
  const items = Array.isArray(data.items) ? data.items : [];
  current.results = more ? current.results.concat(items) : items;
  current.cursor = data.next_cursor || null;
  render();
}

function render() {
  const grid = $("picker-grid");
  grid.replaceChildren(
    ...session.results.map((item) => {
      const card = mediaCard(item, {
        inputType: session.multiple ? "checkbox" : "radio",
        inputName: "picker-choice",
        idPrefix: "pick",
        checked: session.picked.has(item.id),
        onToggle: toggle,
      });
      if (session.excluded.has(item.id)) {
        card.classList.add("unavailable");
        const input = card.querySelector("input");
        input.disabled = true;
        card.querySelector(".card-body").append(Object.assign(document.createElement("p"), { className: "hint", textContent: "Already in this listing" }));
      }
      return card;
    }),
  );
  $("picker-more").hidden = !session.cursor;
  if (!session.results.length) grid.append(Object.assign(document.createElement("li"), { className: "empty", textContent: "No media found." }));
}

function toggle(item, checked) {
  if (!session.multiple) {
    session.picked.clear();
    if (checked) session.picked.set(item.id, item);
  } else if (checked) {
    if (session.picked.size >= session.maxCount) {
      // Refuse the extra item where the seller is looking.
      const input = $(`pick-${item.id}`);
      if (input) input.checked = false;
      setText("picker-message", session.limitMessage || `You can pick at most ${plural(session.maxCount, "item")}.`);
      return;
    }
    session.picked.set(item.id, item);
  } else {
    session.picked.delete(item.id);
  }
  setText("picker-message", "");
  const card = $("picker-grid").querySelector(`[data-id="${CSS.escape(item.id)}"]`);
  if (card) card.classList.toggle("selected", checked);
  if (!session.multiple) {
    for (const other of $("picker-grid").querySelectorAll(".media-card.selected")) {
      if (other !== card) other.classList.remove("selected");
    }
  }
  updateCount();
}

function updateCount() {
  const count = session.picked.size;
  let text = count ? "1 picked" : "";
  if (session.multiple) text = `${count} of at most ${session.maxCount} picked`;
  setText("picker-count", text);
  $("picker-choose").disabled = count === 0;
}

export function setUpPicker() {
  const dialog = $("picker-dialog");
  $("picker-form").addEventListener("submit", (event) => {
    event.preventDefault();
    session.result = [...session.picked.values()];
    dialog.close();
  });
  $("picker-q").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      search(false);
    }
  });
  $("picker-search").addEventListener("click", () => search(false));
  $("picker-more").addEventListener("click", () => search(true));
  $("picker-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (!session) return;
    const { resolve, result } = session;
    session = null;
    resolve(result && result.length ? result : null);
  });
}
