// "Export URLs": the chosen items in an order the seller sets by drag and
// drop or by keyboard, their public URLs from POST /v1/media/export-urls,
// "Copy all" to the clipboard and a CSV download.

import { $, h, setText } from "./dom.js";
import { plural } from "./format.js";
import { api } from "./state.js";

let order = [];
let urls = [];
let text = "";
// The latest URL request; "Copy all" waits for it so it never copies an older order.
let pendingUrls = Promise.resolve();
let urlSerial = 0;
let draggedId = null;

export function openExport(items) {
  order = [...items];
  urls = [];
  text = "";
  setText("export-error", "");
  setText("export-status", "");
  setText("export-live", "");
  setText("export-dialog-title", `Export URLs of ${plural(order.length, "item")}`);
  renderList(null);
  requestUrls();
  $("export-dialog").showModal();
  const first = $("export-list").querySelector("li");
  if (first) first.focus();
}

function requestUrls() {
  const serial = ++urlSerial;
  const ids = order.map((item) => item.id);
  $("export-text").value = "";
  $("export-copy").disabled = true;
  $("export-csv").disabled = true;
  pendingUrls = api
    .request("POST", "/v1/media/export-urls", { json: { ids } })
    .then(({ data }) => {
      if (serial !== urlSerial) return;
      urls = Array.isArray(data.urls) ? data.urls : [];
      text = typeof data.text === "string" ? data.text : urls.join("\n");
      $("export-text").value = text;
      setText("export-error", "");
      $("export-copy").disabled = false;
      $("export-csv").disabled = false;
    })
    .catch((error) => {
      if (serial !== urlSerial) return;
      setText("export-error", `The URLs could not be made: ${error.message}`);
    });
}

function move(from, to) {
  if (to < 0 || to >= order.length || from === to) return;
  const [item] = order.splice(from, 1);
  order.splice(to, 0, item);
  renderList(item.id);
  setText("export-live", `${item.name} moved to position ${to + 1} of ${order.length}.`);
  requestUrls();
}

function indexOfId(id) {
  return order.findIndex((item) => item.id === id);
}

function onKeyDown(event, item) {
  if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
  event.preventDefault();
  const index = indexOfId(item.id);
  move(index, event.key === "ArrowUp" ? index - 1 : index + 1);
}

function dropIndex(event, targetId) {
  const target = indexOfId(targetId);
  const box = event.currentTarget.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  const from = indexOfId(draggedId);
  let to = after ? target + 1 : target;
  if (from < to) to -= 1;
  return { from, to };
}

function exportRow(item, index) {
  const row = h(
    "li",
    {
      class: "export-item",
      tabindex: "0",
      draggable: "true",
      "data-id": item.id,
      "aria-label": `${item.name}, position ${index + 1} of ${order.length}`,
      onkeydown: (event) => onKeyDown(event, item),
      ondragstart: (event) => {
        draggedId = item.id;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.id);
        row.classList.add("dragging");
      },
      ondragend: () => {
        draggedId = null;
        row.classList.remove("dragging");
      },
      ondragover: (event) => {
        if (!draggedId) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      },
      ondrop: (event) => {
        if (!draggedId) return;
        event.preventDefault();
        const { from, to } = dropIndex(event, item.id);
        move(from, to);
      },
    },
    h("span", { class: "position", "aria-hidden": "true", text: String(index + 1) }),
    h("img", { src: item.preview_url, alt: "", width: "48", height: "48" }),
    h("span", { class: "export-name", text: item.name }),
    h("button", {
      type: "button",
      class: "icon-button",
      "aria-label": `Move ${item.name} up`,
      text: "↑",
      disabled: index === 0,
      onclick: () => move(indexOfId(item.id), indexOfId(item.id) - 1),
    }),
    h("button", {
      type: "button",
      class: "icon-button",
      "aria-label": `Move ${item.name} down`,
      text: "↓",
      disabled: index === order.length - 1,
      onclick: () => move(indexOfId(item.id), indexOfId(item.id) + 1),
    }),
  );
  return row;
}

function renderList(focusId) {
  const list = $("export-list");
  const focusedButton = list.contains(document.activeElement) && document.activeElement.tagName === "BUTTON"
    ? document.activeElement.getAttribute("aria-label")
    : null;
  list.replaceChildren(...order.map(exportRow));
  if (!focusId) return;
  // Keep focus where the keyboard user was: on the moved row, or on the same button of it.
  const row = list.querySelector(`[data-id="${CSS.escape(focusId)}"]`);
  // A move button that reached the end of the list is disabled; focus the row's other one then.
  const buttons = [...row.querySelectorAll("button")];
  const same = buttons.find((button) => button.getAttribute("aria-label") === focusedButton);
  const other = buttons.find((button) => !button.disabled);
  if (focusedButton && same && !same.disabled) same.focus();
  else if (focusedButton && other) other.focus();
  else if (list.contains(document.activeElement) || document.activeElement === document.body) row.focus();
}

async function copyAll() {
  await pendingUrls;
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without the Clipboard API (an insecure origin, or permission denied),
    // copy the selected text of the read-only text area instead.
    const area = $("export-text");
    area.focus();
    area.select();
    if (!document.execCommand("copy")) {
      setText("export-status", "Copying failed here; the URLs are selected in the box above, press Ctrl+C to copy them.");
      return;
    }
  }
  setText("export-status", `Copied ${plural(urls.length, "URL")} to the clipboard.`);
}

/** Quote a CSV field when it contains a comma, quote or line break (RFC 4180). */
function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function downloadCsv() {
  await pendingUrls;
  const lines = ["url", ...urls.map(csvField)];
  const blob = new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv" });
  const link = h("a", { href: URL.createObjectURL(blob), download: "media-urls.csv", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  setText("export-status", `Downloaded ${plural(urls.length, "URL")} as media-urls.csv.`);
}

export function setUpExport() {
  $("export-close").addEventListener("click", () => $("export-dialog").close());
  $("export-copy").addEventListener("click", copyAll);
  $("export-csv").addEventListener("click", downloadCsv);
}
