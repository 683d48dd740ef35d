// State shared by the page's modules, and an event bus for "something changed".

import { ApiClient } from "./api.js";

export const api = new ApiClient();

export const bus = new EventTarget();

export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

export function on(name, handler) {
  bus.addEventListener(name, (event) => handler(event.detail));
}

export const state = {
  // Every folder of the seller, as GET /v1/folders returns them.
  folders: [],
  // What the library shows: a kind ("image", "video" or null for both) and
  // optionally one folder of that kind.
  scope: { kind: null, folderId: null },
};

export function folderById(id) {
  return state.folders.find((folder) => folder.id === id) || null;
}

export function defaultFolder(kind) {
  return state.folders.find((folder) => folder.kind === kind && folder.is_default) || null;
}
