// The media library: search results as a grid of previews, "Load more",
// selection, and rename, move and delete of the selected items.

import { mediaCard } from "./cards.js";
import { promptText } from "./dialogs.js";
import { $, h, setText, showStatus } from "./dom.js";
import { plural } from "./format.js";
import { scopeTitle } from "./folders.js";
import { readSearchForm } from "./search.js";
import { api, emit, state } from "./state.js";

const PAGE_SIZE = 30;

// Selected items by id, in the order they were selected (a Map keeps insertion order).
export const selection = new Map();

let shownItems = [];
let nextCursor = null;
let lastQuery = null;
// Each search gets a number so an older, slower response cannot overwrite a newer one.
let searchSerial = 0;

export function searchQuery() {
  const { query, error } = readSearchForm();
  if (error) return { error };
  return {
    query: {
      ...query,
      kind: state.scope.kind || "",
      folder_id: state.scope.folderId || "",
      limit: PAGE_SIZE,
    },
  };
}

/** Run the search from the first page and replace the grid. */
export async function runSearch() {
  setText("library-title", scopeTitle());
  const { query, error } = searchQuery();
  setText("search-error", error || "");
  if (error) return;
  lastQuery = query;
  await loadPage(null);
}

async function loadPage(cursor) {
  const serial = ++searchSerial;
  const grid = $("media-grid");
  grid.setAttribute("aria-busy", "true");
  let data;
  try {
    data = await api.get("/v1/media", { ...lastQuery, cursor: cursor || "" });
  } catch (error) {
    if (serial === searchSerial) {
      setText("search-error", `The search failed: ${error.message}`);
      grid.setAttribute("aria-busy", "false");
    }
    return;
  }
  if (serial !== searchSerial) return;
  const items = Array.isArray(data.items) ? data.items : [];
  shownItems = cursor ? shownItems.concat(items) : items;
  nextCursor = data.next_cursor || null;
  renderGrid(Boolean(cursor));
  grid.setAttribute("aria-busy", "false");
}

function renderGrid(appended) {
  const grid = $("media-grid");
  const firstNew = appended ? grid.children.length : 0;
  // A refresh replaces the cards; a keyboard user keeps focus on the same item's checkbox.
  const focusedId = grid.contains(document.activeElement) ? document.activeElement.value : null;
  grid.replaceChildren(
    ...shownItems.map((item) =>
      mediaCard(item, { idPrefix: "select", checked: selection.has(item.id), onToggle: toggleSelection }),
    ),
  );
  $("grid-empty").hidden = shownItems.length > 0;
  $("load-more").hidden = !nextCursor;
  if (appended && grid.children[firstNew]) grid.children[firstNew].querySelector("input").focus();
  else if (focusedId && $(`select-${focusedId}`)) $(`select-${focusedId}`).focus();
  updateSelectionBar();
}

function toggleSelection(item, checked) {
  if (checked) selection.set(item.id, item);
  else selection.delete(item.id);
  const card = $("media-grid").querySelector(`[data-id="${CSS.escape(item.id)}"]`);
  if (card) card.classList.toggle("selected", checked);
  updateSelectionBar();
}

export function updateSelectionBar() {
  const count = selection.size;
  setText("selection-count", count ? `${plural(count, "item")} selected` : "No items selected");
  $("action-rename").disabled = count !== 1;
  $("action-move").disabled = count === 0;
  $("action-delete").disabled = count === 0;
  $("action-export").disabled = count === 0;
}

function selectAllShown() {
  for (const item of shownItems) selection.set(item.id, item);
  renderGrid(false);
}

function clearSelection() {
  selection.clear();
  renderGrid(false);
}

/** Reload what changed after an upload, rename, move or delete. */
function afterChange() {
  emit("library-changed");
}

async function renameSelected() {
  const [item] = selection.values();
  const renamed = await promptText({
    title: "Rename media",
    label: "Name",
    value: item.name,
    submitLabel: "Rename",
    action: async (name) =>
      (await api.request("PATCH", `/v1/media/${encodeURIComponent(item.id)}`, { json: { name } })).data,
  });
  if (!renamed) return;
  selection.set(renamed.id, renamed);
  showStatus(`Renamed "${item.name}" to "${renamed.name}".`);
  afterChange();
}

async function moveSelected() {
  const items = [...selection.values()];
  const kinds = new Set(items.map((item) => item.kind));
  if (kinds.size !== 1) {
    showStatus("Images and videos live in different folders; select only images or only videos to move them.");
    return;
  }
  const [kind] = kinds;
  const folders = state.folders.filter((folder) => folder.kind === kind);
  const select = $("move-dialog-select");
  select.replaceChildren(...folders.map((folder) => h("option", { value: folder.id, text: folder.name })));
  setText("move-dialog-title", `Move ${plural(items.length, "item")} to folder`);
  setText("move-dialog-error", "");
  const dialog = $("move-dialog");
  const form = $("move-dialog-form");

  const onSubmit = async (event) => {
    event.preventDefault();
    const folderId = select.value;
    const failures = [];
    for (const item of items) {
      try {
        const moved = (await api.request("PATCH", `/v1/media/${encodeURIComponent(item.id)}`, { json: { folder_id: folderId } })).data;
        selection.set(moved.id, moved);
      } catch (error) {
        failures.push(`${item.name}: ${error.message}`);
      }
    }
    afterChange();
    if (failures.length) {
      setText("move-dialog-error", failures.join(" "));
      return;
    }
    showStatus(`Moved ${plural(items.length, "item")} to "${select.selectedOptions[0].textContent}".`);
    dialog.close();
  };
  const onCancel = () => dialog.close();
  const onClose = () => {
    form.removeEventListener("submit", onSubmit);
    $("move-dialog-cancel").removeEventListener("click", onCancel);
    dialog.removeEventListener("close", onClose);
  };
  form.addEventListener("submit", onSubmit);
  $("move-dialog-cancel").addEventListener("click", onCancel);
  dialog.addEventListener("close", onClose);
  dialog.showModal();
  select.focus();
}

async function deleteOne(item, detach) {
  try {
    await api.request("DELETE", `/v1/media/${encodeURIComponent(item.id)}`, { query: detach ? { detach: "true" } : {} });
    selection.delete(item.id);
    return null;
  } catch (error) {
    return error;
  }
}

function deleteSelected() {
  const dialog = $("delete-dialog");
  const message = $("delete-dialog-message");
  const confirmButton = $("delete-dialog-confirm");
  const detachButton = $("delete-dialog-detach");
  let pending = [...selection.values()];
  setText("delete-dialog-error", "");
  detachButton.hidden = true;
  confirmButton.hidden = false;
  message.replaceChildren(
    h("p", { text: pending.length === 1 ? `Delete "${pending[0].name}"?` : `Delete ${plural(pending.length, "item")}?` }),
    h("p", { class: "hint", text: "Deleted files are removed from the library and free their storage." }),
  );

  // Deletes every pending item; items that listings use stay pending and are
  // shown with their listing ids, so the seller can detach them.
  const run = async (detach) => {
    confirmButton.disabled = true;
    detachButton.disabled = true;
    const inUse = [];
    const failed = [];
    let deleted = 0;
    for (const item of pending) {
      const error = await deleteOne(item, detach);
      if (!error) deleted += 1;
      else if (error.status === 409 && Array.isArray(error.problem?.listing_ids)) inUse.push({ item, error });
      else failed.push({ item, error });
    }
    confirmButton.disabled = false;
    detachButton.disabled = false;

    if (deleted) {
      showStatus(`Deleted ${plural(deleted, "item")}.`);
      afterChange();
    }
    pending = inUse.map((entry) => entry.item);
    if (!inUse.length && !failed.length) {
      dialog.close();
      return;
    }

    message.replaceChildren(
      ...inUse.map(({ item, error }) =>
        h(
          "div",
          { class: "in-use" },
          h("p", { text: `"${item.name}" is used by ${plural(error.problem.listing_ids.length, "listing")}:` }),
          h("ul", { class: "listing-ids" }, error.problem.listing_ids.map((id) => h("li", {}, h("code", { text: id })))),
        ),
      ),
      ...failed.map(({ item, error }) => h("p", { class: "error", text: `"${item.name}" was not deleted: ${error.message}` })),
    );
    confirmButton.hidden = true;
    detachButton.hidden = inUse.length === 0;
    if (inUse.length) detachButton.focus();
    else $("delete-dialog-cancel").focus();
  };

  const onConfirm = () => run(false);
  const onDetach = () => run(true);
  const onCancel = () => dialog.close();
  const onClose = () => {
    confirmButton.removeEventListener("click", onConfirm);
    detachButton.removeEventListener("click", onDetach);
    $("delete-dialog-cancel").removeEventListener("click", onCancel);
    dialog.removeEventListener("close", onClose);
    updateSelectionBar();
  };
  confirmButton.addEventListener("click", onConfirm);
  detachButton.addEventListener("click", onDetach);
  $("delete-dialog-cancel").addEventListener("click", onCancel);
  dialog.addEventListener("close", onClose);
  dialog.showModal();
  $("delete-dialog-cancel").focus();
}

export function setUpLibrary({ onExport }) {
  $("load-more").addEventListener("click", () => loadPage(nextCursor));
  $("action-select-all").addEventListener("click", selectAllShown);
  $("action-clear-selection").addEventListener("click", clearSelection);
  $("action-rename").addEventListener("click", renameSelected);
  $("action-move").addEventListener("click", moveSelected);
  $("action-delete").addEventListener("click", deleteSelected);
  $("action-export").addEventListener("click", () => onExport([...selection.values()]));
  updateSelectionBar();
}
