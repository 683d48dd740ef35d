// One preview card of a media item, used by the library grid and the picker.

import { h } from "./dom.js";
import { describeShape, formatBytes, formatDate } from "./format.js";

/**
 * Build a card whose checkbox (or radio) is named after the item, so both
 * mouse and keyboard users select it by its name.
 */
export function mediaCard(item, { inputType = "checkbox", inputName, checked = false, idPrefix, onToggle }) {
  const inputId = `${idPrefix}-${item.id}`;
  const input = h("input", {
    type: inputType,
    id: inputId,
    name: inputName,
    value: item.id,
    checked,
    onchange: (event) => onToggle(item, event.target.checked),
  });
  const shape = describeShape(item);
  return h(
    "li",
    { class: `media-card${checked ? " selected" : ""}`, "data-id": item.id, "data-kind": item.kind },
    h(
      "label",
      { class: "thumb", for: inputId },
      h("img", { src: item.preview_url, alt: "", loading: "lazy", decoding: "async", width: "160", height: "160" }),
      item.kind === "video" ? h("span", { class: "badge", "aria-hidden": "true", text: "Video" }) : null,
    ),
    h(
      "div",
      { class: "card-body" },
      h("div", { class: "card-title" }, input, h("label", { for: inputId, class: "media-name", title: item.name, text: item.name })),
      h("p", { class: "meta" }, h("span", { class: "media-size", text: formatBytes(item.byte_size) }), shape ? ` · ${shape}` : ""),
      h("p", { class: "meta" }, h("time", { datetime: item.created_at || "", title: item.created_at || "", text: formatDate(item.created_at) })),
    ),
  );
}
