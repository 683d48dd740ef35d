// The left navigation: Images and Videos, each with its folders, and the
// controls to add, rename and delete folders.

import { confirmAction, promptText } from "./dialogs.js";
import { $, h, showError, showStatus } from "./dom.js";
import { api, emit, folderById, state } from "./state.js";

const KIND_LABELS = { image: "Images", video: "Videos" };
const KIND_SINGULAR = { image: "image", video: "video" };

export async function refreshFolders() {
  try {
    const data = await api.get("/v1/folders");
    state.folders = Array.isArray(data.folders) ? data.folders : [];
  } catch (error) {
    showError(`The folders could not be loaded: ${error.message}`);
    return;
  }
  if (state.scope.folderId && !folderById(state.scope.folderId)) {
    state.scope = { kind: state.scope.kind, folderId: null };
  }
  renderFolders();
  emit("folders-changed");
}

/** Show what the library lists: all media, one kind, or one folder. */
export function selectScope(kind, folderId = null) {
  state.scope = { kind, folderId };
  renderFolders();
  emit("scope-changed");
}

export function scopeTitle() {
  const { kind, folderId } = state.scope;
  const folder = folderId ? folderById(folderId) : null;
  if (folder) return folder.name;
  if (kind) return `All ${KIND_LABELS[kind].toLowerCase()}`;
  return "All media";
}

function navButton(label, count, isCurrent, onClick) {
  return h(
    "button",
    { type: "button", class: "nav-item", "aria-current": isCurrent ? "page" : null, onclick: onClick },
    h("span", { class: "nav-name", text: label }),
    count === null ? null : h("span", { class: "nav-count", "aria-label": `${count} items`, text: String(count) }),
  );
}

function folderRow(folder) {
  const isCurrent = state.scope.folderId === folder.id;
  const label = folder.is_default ? `${folder.name} (default)` : folder.name;
  const row = h(
    "li",
    { class: "folder-row", "data-folder-id": folder.id },
    navButton(label, folder.item_count, isCurrent, () => selectScope(folder.kind, folder.id)),
    h("button", {
      type: "button",
      class: "icon-button",
      title: "Rename folder",
      "aria-label": `Rename folder ${folder.name}`,
      text: "✎",
      onclick: () => renameFolder(folder),
    }),
  );
  if (!folder.is_default) {
    row.append(
      h("button", {
        type: "button",
        class: "icon-button",
        title: "Delete folder",
        "aria-label": `Delete folder ${folder.name}`,
        text: "×",
        onclick: () => deleteFolder(folder),
      }),
    );
  }
  return row;
}

function kindGroup(kind) {
  const folders = state.folders
    .filter((folder) => folder.kind === kind)
    .sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.name.localeCompare(b.name));
  const total = folders.reduce((sum, folder) => sum + (Number(folder.item_count) || 0), 0);
  const isCurrent = state.scope.kind === kind && !state.scope.folderId;
  const headingId = `nav-${kind}-heading`;
  return h(
    "section",
    { class: "nav-group", "aria-labelledby": headingId },
    h("h2", { id: headingId, class: "nav-heading" }, navButton(KIND_LABELS[kind], total, isCurrent, () => selectScope(kind))),
    h("ul", { class: "folder-list", "aria-label": `${KIND_LABELS[kind]} folders` }, folders.map(folderRow)),
    h("button", {
      type: "button",
      class: "add-folder quiet",
      text: `+ New ${KIND_SINGULAR[kind]} folder`,
      onclick: () => addFolder(kind),
    }),
  );
}

export function renderFolders() {
  const nav = $("folder-nav");
  const hadFocus = nav.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") || document.activeElement.textContent : null;
  const isAll = !state.scope.kind;
  nav.replaceChildren(
    h("div", { class: "nav-group" }, navButton("All media", null, isAll, () => selectScope(null))),
    kindGroup("image"),
    kindGroup("video"),
  );
  // Re-rendering replaces the buttons; keep keyboard focus on the same control.
  if (hadFocus) {
    const same = [...nav.querySelectorAll("button")].find(
      (button) => (button.getAttribute("aria-label") || button.textContent) === hadFocus,
    );
    if (same) same.focus();
  }
}

async function addFolder(kind) {
  const folder = await promptText({
    title: `New ${KIND_SINGULAR[kind]} folder`,
    label: "Folder name",
    submitLabel: "Create folder",
    action: async (name) => (await api.request("POST", "/v1/folders", { json: { name, kind } })).data,
  });
  if (!folder) return;
  showStatus(`Folder "${folder.name}" created.`);
  state.scope = { kind: folder.kind, folderId: folder.id };
  await refreshFolders();
  emit("scope-changed");
}

async function renameFolder(folder) {
  const renamed = await promptText({
    title: "Rename folder",
    label: "Folder name",
    value: folder.name,
    submitLabel: "Rename",
    action: async (name) => (await api.request("PATCH", `/v1/folders/${encodeURIComponent(folder.id)}`, { json: { name } })).data,
  });
  if (!renamed) return;
  showStatus(`Folder "${folder.name}" renamed to "${renamed.name}".`);
  await refreshFolders();
  emit("scope-changed");
}

async function deleteFolder(folder) {
  const deleted = await confirmAction({
    title: "Delete folder",
    message: `Delete the folder "${folder.name}"? Only an empty folder can be deleted.`,
    confirmLabel: "Delete folder",
    action: async () => {
      await api.request("DELETE", `/v1/folders/${encodeURIComponent(folder.id)}`);
      return true;
    },
  });
  if (!deleted) return;
  showStatus(`Folder "${folder.name}" deleted.`);
  await refreshFolders();
  emit("scope-changed");
}
