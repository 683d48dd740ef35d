// The listing media editor: a main image and 8 more, a video and a size
// chart, each picked from the library, saved with PUT and the listing's
// ETag so that a change made elsewhere is not overwritten.

import { $, h, setText, showStatus } from "./dom.js";
import { describeShape, plural } from "./format.js";
import { pickMedia } from "./picker.js";
import { api } from "./state.js";

// A listing shows at most this many images; the first is the main image.
const MAX_IMAGES = 9;
const LIMIT_MESSAGE = `A listing holds at most ${MAX_IMAGES} images. Remove one before adding another.`;

const editor = {
  listingId: "",
  // The ETag of the version loaded or last saved, or null for a listing never saved.
  etag: null,
  version: 0,
  images: [],
  video: null,
  sizeChart: null,
  dirty: false,
  // Slot keys ("image:3", "video", "size_chart") the last save rejected.
  offending: new Set(),
};

function applyListing(data, etag) {
  editor.images = Array.isArray(data?.images) ? data.images : [];
  editor.video = data?.video || null;
  editor.sizeChart = data?.size_chart || null;
  editor.version = Number(data?.version) || 0;
  editor.etag = etag || null;
  editor.dirty = false;
  editor.offending = new Set();
}

async function loadListing(listingId) {
  setText("listing-error", "");
  setText("listing-save-error", "");
  setText("listing-limit", "");
  try {
    const response = await api.request("GET", `/v1/listings/${encodeURIComponent(listingId)}/media`);
    applyListing(response.data, response.headers.get("ETag"));
  } catch (error) {
    if (error.status !== 404) {
      setText("listing-error", `The listing could not be loaded: ${error.message}`);
      return;
    }
    // A listing that was never saved has no media yet.
    applyListing(null, null);
  }
  editor.listingId = listingId;
  $("listing-editor").hidden = false;
  render();
}

function markChanged() {
  editor.dirty = true;
  editor.offending = new Set();
  setText("listing-limit", "");
  render();
}

function slotCard(item, label, key, actions, { showLabel = true } = {}) {
  const classes = ["slot", item ? "filled" : "empty"];
  if (editor.offending.has(key)) classes.push("offending");
  return h(
    "div",
    { class: classes.join(" "), "data-slot": key },
    showLabel ? h("span", { class: "slot-label", text: label }) : null,
    item
      ? h(
          "div",
          { class: "slot-media" },
          h("img", { src: item.preview_url, alt: "", width: "96", height: "96" }),
          h("span", { class: "slot-name", title: item.name, text: item.name }),
          h("span", { class: "hint", text: describeShape(item) }),
        )
      : null,
    h("div", { class: "slot-actions" }, actions),
  );
}

function imageSlot(index) {
  const item = editor.images[index];
  const label = index === 0 ? "Main image" : `Image ${index + 1}`;
  const key = `image:${index}`;
  if (!item) {
    const isNextFree = index === editor.images.length;
    return h(
      "li",
      {},
      slotCard(null, label, key, [
        isNextFree
          ? h("button", { type: "button", text: "Choose image", "aria-label": `Choose ${label.toLowerCase()}`, onclick: addImages })
          : h("span", { class: "hint", text: "Empty" }),
      ]),
    );
  }
  return h(
    "li",
    {},
    slotCard(item, label, key, [
      h("button", { type: "button", class: "icon-button", text: "←", "aria-label": `Move ${item.name} earlier`, disabled: index === 0, onclick: () => moveImage(index, index - 1) }),
      h("button", { type: "button", class: "icon-button", text: "→", "aria-label": `Move ${item.name} later`, disabled: index === editor.images.length - 1, onclick: () => moveImage(index, index + 1) }),
      h("button", { type: "button", class: "quiet", text: "Remove", "aria-label": `Remove ${item.name} from ${label.toLowerCase()}`, onclick: () => removeImage(index) }),
    ]),
  );
}

function singleSlot(item, label, key, chooseLabel, onChoose, onRemove) {
  const actions = [h("button", { type: "button", text: item ? "Replace" : chooseLabel, "aria-label": item ? `Replace ${label.toLowerCase()}` : chooseLabel, onclick: onChoose })];
  if (item) actions.push(h("button", { type: "button", class: "quiet", text: "Remove", "aria-label": `Remove ${label.toLowerCase()}`, onclick: onRemove }));
  // The video and size chart slots sit under their own headings, so they show no label of their own.
  return slotCard(item, label, key, actions, { showLabel: false });
}

function render() {
  const status = editor.etag ? `version ${editor.version}` : "new, not saved yet";
  setText("listing-summary", `Listing ${editor.listingId} (${status}): ${plural(editor.images.length, "image")} of ${MAX_IMAGES}, ${editor.video ? "a video" : "no video"}, ${editor.sizeChart ? "a size chart" : "no size chart"}.`);
  setText("listing-dirty", editor.dirty ? "Unsaved changes" : "");
  const slots = [];
  for (let index = 0; index < MAX_IMAGES; index += 1) slots.push(imageSlot(index));
  $("listing-images").replaceChildren(...slots);
  $("listing-video").replaceChildren(
    singleSlot(editor.video, "Video", "video", "Choose video", chooseVideo, () => {
      editor.video = null;
      markChanged();
    }),
  );
  $("listing-size-chart").replaceChildren(
    singleSlot(editor.sizeChart, "Size chart", "size_chart", "Choose size chart", chooseSizeChart, () => {
      editor.sizeChart = null;
      markChanged();
    }),
  );
}

function usedIds() {
  return [...editor.images, editor.video, editor.sizeChart].filter(Boolean).map((item) => item.id);
}

async function addImages() {
  const free = MAX_IMAGES - editor.images.length;
  if (free <= 0) {
    setText("listing-limit", LIMIT_MESSAGE);
    return;
  }
  setText("listing-limit", "");
  const picked = await pickMedia({
    kind: "image",
    title: `Add images (${plural(free, "free slot")})`,
    multiple: true,
    maxCount: free,
    limitMessage: `This listing has room for ${plural(free, "more image")}; a listing holds at most ${MAX_IMAGES} images.`,
    excludeIds: usedIds(),
  });
  if (!picked) return;
  editor.images = editor.images.concat(picked).slice(0, MAX_IMAGES);
  markChanged();
}

function moveImage(from, to) {
  const [item] = editor.images.splice(from, 1);
  editor.images.splice(to, 0, item);
  markChanged();
  const button = $("listing-images").querySelector(`[aria-label="Move ${CSS.escape(item.name)} ${to < from ? "earlier" : "later"}"]`);
  if (button && !button.disabled) button.focus();
}

function removeImage(index) {
  editor.images.splice(index, 1);
  markChanged();
}

async function chooseVideo() {
  const picked = await pickMedia({ kind: "video", title: "Choose the video", excludeIds: usedIds() });
  if (!picked) return;
  [editor.video] = picked;
  markChanged();
}

async function chooseSizeChart() {
  const picked = await pickMedia({ kind: "image", title: "Choose the size chart", excludeIds: usedIds() });
  if (!picked) return;
  [editor.sizeChart] = picked;
  markChanged();
}

/** Map a rejected request field ("image_ids[3]", "video_id", ...) to the slot it names. */
function slotKeyOfField(name) {
  const image = /^image(?:_ids|s)\[(\d+)\]/.exec(name || "");
  if (image) return `image:${image[1]}`;
  if (/^video/.test(name || "")) return "video";
  if (/^size_chart/.test(name || "")) return "size_chart";
  return null;
}

function itemOfSlot(key) {
  if (key === "video") return editor.video;
  if (key === "size_chart") return editor.sizeChart;
  return editor.images[Number(key.split(":")[1])] || null;
}

function showRejection(error) {
  const problem = error.problem || {};
  const params = Array.isArray(problem.invalid_params) ? problem.invalid_params : [];
  const offendingIds = [];
  editor.offending = new Set();
  for (const param of params) {
    const key = slotKeyOfField(param.name);
    if (!key) continue;
    editor.offending.add(key);
    const item = itemOfSlot(key);
    if (item) offendingIds.push(item.id);
  }
  render();
  const reasons = params.map((param) => param.reason).filter(Boolean);
  if (Array.isArray(problem.errors)) reasons.push(...problem.errors.map((entry) => entry.message || entry.code));
  $("listing-save-error").replaceChildren(
    h("p", { text: `The listing was not saved: ${error.message}` }),
    offendingIds.length ? h("p", {}, "Offending ids: ", ...offendingIds.map((id, index) => [index ? ", " : "", h("code", { text: id })])) : null,
    reasons.length ? h("ul", {}, reasons.map((reason) => h("li", { text: reason }))) : null,
  );
}

async function save() {
  setText("listing-save-error", "");
  const body = {
    images: editor.images.map((item) => item.id),
    video: editor.video ? editor.video.id : null,
    size_chart: editor.sizeChart ? editor.sizeChart.id : null,
  };
  const headers = editor.etag ? { "If-Match": editor.etag } : {};
  $("listing-save").disabled = true;
  try {
    const response = await api.request("PUT", `/v1/listings/${encodeURIComponent(editor.listingId)}/media`, { json: body, headers });
    applyListing(response.data, response.headers.get("ETag"));
    render();
    showStatus(`Listing ${editor.listingId} saved.`);
  } catch (error) {
    if (error.status === 412) {
      $("listing-save-error").replaceChildren(
        h("p", { text: "This listing was changed elsewhere since you loaded it. Reload it to see the current media, then make your changes again." }),
        h("button", { type: "button", text: "Reload listing", onclick: () => loadListing(editor.listingId) }),
      );
    } else if (error.status === 422) {
      showRejection(error);
    } else {
      setText("listing-save-error", `The listing was not saved: ${error.message}`);
    }
  } finally {
    $("listing-save").disabled = false;
  }
}

export function setUpListingEditor() {
  $("listing-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const listingId = $("listing-id").value.trim();
    if (!listingId) {
      setText("listing-error", "Enter a listing id.");
      return;
    }
    loadListing(listingId);
  });
  $("listing-add-images").addEventListener("click", addImages);
  $("listing-save").addEventListener("click", save);
  $("listing-reload").addEventListener("click", () => loadListing(editor.listingId));
}
