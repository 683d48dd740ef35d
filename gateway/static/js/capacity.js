// The storage meter in the lower left: used and total bytes as a bar and as text.

import { $ } from "./dom.js";
import { formatBytes } from "./format.js";
import { api } from "./state.js";

// Above this share of the quota the bar turns to the warning colour.
const WARNING_SHARE = 0.9;

export async function refreshCapacity() {
  let capacity;
  try {
    capacity = await api.get("/v1/capacity");
  } catch (error) {
    $("capacity-text").textContent = `Storage use unavailable: ${error.message}`;
    return;
  }
  const used = Number(capacity.used_bytes) || 0;
  const total = Number(capacity.total_bytes) || 0;
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const text = `${formatBytes(used)} of ${formatBytes(total)} used`;

  const meter = $("capacity-meter");
  meter.setAttribute("aria-valuemax", String(total));
  meter.setAttribute("aria-valuenow", String(Math.min(used, total)));
  meter.setAttribute("aria-valuetext", text);
  meter.classList.toggle("warning", share >= WARNING_SHARE);
  // A tiny non-zero use still shows as a sliver, so the bar never looks empty when it is not.
  $("capacity-fill").style.width = `${used > 0 ? Math.max(share * 100, 0.5) : 0}%`;
  $("capacity-text").textContent = text;
}
