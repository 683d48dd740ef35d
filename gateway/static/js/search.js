// Turning the search form into query parameters of GET /v1/media, with
// friendly checks of the date filter before anything is sent.

import { $ } from "./dom.js";

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Show the date inputs that fit the chosen mode: none, one day, or a range. */
export function syncDateFields() {
  const mode = $("date-mode").value;
  $("date-day-field").hidden = mode !== "day";
  $("date-from-field").hidden = mode !== "range";
  $("date-to-field").hidden = mode !== "range";
}

/**
 * Read the form into {q, created_on, created_from, created_to}. Returns
 * {query} or {error} with a sentence saying what to fix.
 */
export function readSearchForm() {
  const query = { q: $("search-q").value.trim() };
  const mode = $("date-mode").value;
  if (mode === "day") {
    const day = $("created-on").value;
    if (!DATE_PATTERN.test(day)) return { error: "Choose the day to search, or set Date to Any date." };
    query.created_on = day;
  } else if (mode === "range") {
    const from = $("created-from").value;
    const to = $("created-to").value;
    if (!from && !to) return { error: "Choose a From date, a To date or both, or set Date to Any date." };
    if (from && !DATE_PATTERN.test(from)) return { error: "The From date must be a date such as 2026-01-31." };
    if (to && !DATE_PATTERN.test(to)) return { error: "The To date must be a date such as 2026-01-31." };
    // YYYY-MM-DD strings compare in date order.
    if (from && to && from > to) return { error: `The From date ${from} is after the To date ${to}; swap them.` };
    if (from) query.created_from = from;
    if (to) query.created_to = to;
  }
  return { query };
}

export function clearSearchForm() {
  $("search-q").value = "";
  $("date-mode").value = "any";
  $("created-on").value = "";
  $("created-from").value = "";
  $("created-to").value = "";
  syncDateFields();
}
