// Human-readable sizes, durations and dates. Sizes use 1 KB = 1024 bytes,
// as the upload limits do (5 MB is 5,242,880 bytes).

const UNITS = ["KB", "MB", "GB", "TB"];

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return "unknown size";
  if (bytes < 1024) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${UNITS[unit]}`;
}

/**
 * Format milliseconds as m:ss.s, cut down to a tenth of a second, so a clip
 * of 59,990 ms (under the 60 s limit) shows as 0:59.9, never as 1:00.0.
 */
export function formatDuration(milliseconds) {
  if (!Number.isFinite(milliseconds)) return "";
  const tenths = Math.floor(milliseconds / 100);
  const minutes = Math.floor(tenths / 600);
  const secondsText = ((tenths % 600) / 10).toFixed(1).padStart(4, "0");
  return `${minutes}:${secondsText}`;
}

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** Format an RFC 3339 time as a date in UTC, the time zone the date search uses. */
export function formatDate(isoText) {
  if (!isoText) return "";
  const moment = new Date(isoText);
  if (Number.isNaN(moment.getTime())) return isoText;
  return DATE_FORMAT.format(moment);
}

export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Describe a media item's dimensions and, for videos, its duration. */
export function describeShape(item) {
  const parts = [];
  if (item.width && item.height) parts.push(`${item.width} × ${item.height}`);
  if (item.kind === "video" && Number.isFinite(item.duration_ms)) parts.push(formatDuration(item.duration_ms));
  return parts.join(" · ");
}
