// "Upload images" and "Upload video": each file is its own POST /v1/media,
// sent in parallel with its own progress bar. Rejected files stay in the
// list with every reason and a "Try again" button.

import { $, announce, h } from "./dom.js";
import { formatBytes } from "./format.js";
import { problemMessage } from "./api.js";
import { api, defaultFolder, emit, folderById, state } from "./state.js";

// Chromium and Firefox open at most six HTTP/1.1 connections per host, so four
// uploads at a time leave room for the page's other requests.
const MAX_PARALLEL_UPLOADS = 4;

const STATE_LABELS = {
  queued: "Waiting",
  uploading: "Uploading",
  checking: "Checking",
  added: "Added",
  duplicate: "Already in your library",
  failed: "Failed",
};

const uploads = [];
let running = 0;
let uploadSerial = 0;

/** Return the folder id for uploads of this kind: the folder on show if it has that kind, else the default one. */
function targetFolderId(kind) {
  const current = state.scope.folderId ? folderById(state.scope.folderId) : null;
  if (current && current.kind === kind) return current.id;
  const fallback = defaultFolder(kind);
  return fallback ? fallback.id : "";
}

export function addFiles(files, kind) {
  const folderId = targetFolderId(kind);
  for (const file of files) {
    const upload = { id: `upload-${++uploadSerial}`, file, kind, folderId, status: "queued", loaded: 0, reasons: [] };
    upload.element = renderUpload(upload);
    uploads.push(upload);
    $("upload-list").append(upload.element);
  }
  $("uploads").hidden = uploads.length === 0;
  announce(`${files.length === 1 ? "1 file" : `${files.length} files`} added to the uploads.`);
  pump();
}

function pump() {
  while (running < MAX_PARALLEL_UPLOADS) {
    const next = uploads.find((upload) => upload.status === "queued");
    if (!next) return;
    send(next);
  }
}

async function send(upload) {
  running += 1;
  upload.status = "uploading";
  upload.loaded = 0;
  upload.reasons = [];
  update(upload);
  const request = api.upload(upload.file, upload.folderId, (loaded, total) => {
    upload.loaded = loaded / total;
    // Once every byte is sent, the gateway still checks the file before it responds.
    if (loaded >= total) upload.status = "checking";
    update(upload);
  });
  upload.abort = request.abort;
  try {
    const { status, data } = await request.promise;
    finish(upload, status, data);
  } catch (error) {
    upload.status = "failed";
    upload.reasons = [error.name === "AbortError" ? "The upload was cancelled." : error.message];
  } finally {
    running -= 1;
    upload.abort = null;
    update(upload);
    pump();
  }
}

function finish(upload, status, data) {
  if (status === 201 || (status === 200 && data && data.duplicate)) {
    upload.status = status === 201 ? "added" : "duplicate";
    upload.item = data;
    upload.loaded = 1;
    announce(`${upload.file.name}: ${STATE_LABELS[upload.status]}.`);
    emit("library-changed");
    return;
  }
  if (status >= 200 && status < 300) {
    upload.status = "added";
    upload.loaded = 1;
    emit("library-changed");
    return;
  }
  upload.status = "failed";
  const errors = data && Array.isArray(data.errors) ? data.errors : [];
  upload.reasons = errors.length ? errors.map((error) => error.message || error.code) : [problemMessage(status, data)];
  announce(`${upload.file.name} failed: ${upload.reasons.join(" ")}`);
}

function retry(upload) {
  upload.status = "queued";
  update(upload);
  pump();
}

function remove(upload) {
  if (upload.abort) upload.abort();
  const index = uploads.indexOf(upload);
  if (index >= 0) uploads.splice(index, 1);
  upload.element.remove();
  $("uploads").hidden = uploads.length === 0;
}

function clearFinished() {
  for (const upload of [...uploads]) {
    if (upload.status === "added" || upload.status === "duplicate") remove(upload);
  }
}

function renderUpload(upload) {
  const nameId = `${upload.id}-name`;
  return h(
    "li",
    { class: "upload-item", id: upload.id, "aria-labelledby": nameId },
    h(
      "div",
      { class: "upload-row" },
      h("span", { class: "upload-name", id: nameId, text: upload.file.name }),
      h("span", { class: "upload-size", text: formatBytes(upload.file.size) }),
      h("span", { class: "upload-state" }),
    ),
    h("progress", { max: "100", value: "0", "aria-label": `Upload progress of ${upload.file.name}` }),
    h("ul", { class: "upload-reasons" }),
    h(
      "div",
      { class: "upload-actions" },
      h("button", { type: "button", class: "retry", text: "Try again", hidden: true, "aria-label": `Try again: ${upload.file.name}`, onclick: () => retry(upload) }),
      h("button", { type: "button", class: "remove quiet", text: "Remove", "aria-label": `Remove ${upload.file.name} from the list`, onclick: () => remove(upload) }),
    ),
  );
}

function update(upload) {
  const element = upload.element;
  element.dataset.status = upload.status;
  element.querySelector(".upload-state").textContent = STATE_LABELS[upload.status];
  const progress = element.querySelector("progress");
  progress.value = Math.round(upload.loaded * 100);
  element.querySelector(".upload-reasons").replaceChildren(...upload.reasons.map((reason) => h("li", { text: reason })));
  element.querySelector(".retry").hidden = upload.status !== "failed";
}

function takeFiles(input, kind) {
  const files = [...input.files];
  // Clearing the input lets the seller pick the same file again later.
  input.value = "";
  if (files.length) addFiles(files, kind);
}

function isVideoFile(file) {
  return file.type.startsWith("video/") || /\.mp4$/i.test(file.name);
}

function hasFiles(event) {
  return event.dataTransfer && [...event.dataTransfer.types].includes("Files");
}

/**
 * Accept files dropped on the library view. Videos go to the video uploads
 * and everything else to the image uploads, where the gateway judges each
 * file by its bytes and reports why it rejects one.
 */
function setUpDropZone(zone) {
  let depth = 0;
  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    zone.classList.add("drop-target");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove("drop-target");
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove("drop-target");
    const files = [...event.dataTransfer.files];
    const videos = files.filter(isVideoFile);
    const images = files.filter((file) => !isVideoFile(file));
    if (images.length) addFiles(images, "image");
    if (videos.length) addFiles(videos, "video");
  });
}

export function setUpUploads() {
  const imageInput = $("upload-images-input");
  const videoInput = $("upload-video-input");
  imageInput.addEventListener("change", () => takeFiles(imageInput, "image"));
  videoInput.addEventListener("change", () => takeFiles(videoInput, "video"));
  $("uploads-clear").addEventListener("click", clearFinished);
  setUpDropZone($("view-library"));
}
