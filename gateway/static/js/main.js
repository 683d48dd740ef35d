// Start-up: the API key prompt, the two views, and the wiring between the
// page's parts.

import { refreshCapacity } from "./capacity.js";
import { $, setText, showError, showStatus } from "./dom.js";
import { openExport, setUpExport } from "./export.js";
import { refreshFolders } from "./folders.js";
import { runSearch, selection, setUpLibrary, updateSelectionBar } from "./library.js";
import { setUpListingEditor } from "./listing.js";
import { setUpPicker } from "./picker.js";
import { clearSearchForm, syncDateFields } from "./search.js";
import { api, on } from "./state.js";
import { setUpUploads } from "./uploads.js";

// Several uploads finishing close together cause one refresh, not one each.
const REFRESH_DELAY_MS = 250;

function showSignIn(message) {
  $("app").hidden = true;
  $("sign-in").hidden = false;
  setText("sign-in-error", message || "");
  const input = $("api-key-input");
  input.value = "";
  prefillDemoKey();
  input.focus();
}

/** Fill in the demo seller's key when the gateway runs embedded and offers one. */
async function prefillDemoKey() {
  try {
    const response = await api.request("GET", "/v1/session/demo-key", { authenticate: false });
    const key = response.data && response.data.api_key;
    const input = $("api-key-input");
    if (key && !input.value) {
      input.value = key;
      $("sign-in-hint").hidden = false;
    }
  } catch {
    // Outside the embedded run there is no demo key; the seller types one.
  }
}

async function showApp() {
  $("sign-in").hidden = true;
  $("app").hidden = false;
  showError("");
  selectView(location.hash === "#listing" ? "listing" : "library", false);
  await Promise.all([refreshFolders(), refreshCapacity()]);
  await runSearch();
}

async function signIn(event) {
  event.preventDefault();
  const key = $("api-key-input").value.trim();
  if (!key) {
    setText("sign-in-error", "Enter your API key.");
    return;
  }
  api.setKey(key);
  try {
    // A 401 from this call means the gateway rejects the key.
    await api.get("/v1/capacity");
  } catch (error) {
    if (error.status !== 401) {
      api.clearKey();
      setText("sign-in-error", `Signing in failed: ${error.message}`);
    }
    return;
  }
  $("sign-in-hint").hidden = true;
  await showApp();
}

function signOut() {
  api.clearKey();
  selection.clear();
  updateSelectionBar();
  showSignIn("You are signed out.");
}

const VIEWS = {
  library: { tab: "tab-library", panel: "view-library" },
  listing: { tab: "tab-listing", panel: "view-listing" },
};

function selectView(name, moveFocus = true) {
  for (const [viewName, view] of Object.entries(VIEWS)) {
    const isCurrent = viewName === name;
    const tab = $(view.tab);
    tab.setAttribute("aria-selected", String(isCurrent));
    tab.tabIndex = isCurrent ? 0 : -1;
    $(view.panel).hidden = !isCurrent;
    if (isCurrent && moveFocus) tab.focus();
  }
  history.replaceState(null, "", name === "listing" ? "#listing" : "#");
}

function setUpTabs() {
  const names = Object.keys(VIEWS);
  for (const name of names) {
    const tab = $(VIEWS[name].tab);
    tab.addEventListener("click", () => selectView(name));
    // Arrow keys move between tabs, as in the WAI-ARIA tabs pattern.
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const step = event.key === "ArrowRight" ? 1 : -1;
      const next = names[(names.indexOf(name) + step + names.length) % names.length];
      selectView(next);
    });
  }
}

function setUpSearch() {
  let typingTimer = 0;
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });
  $("search-q").addEventListener("input", () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(runSearch, 300);
  });
  $("date-mode").addEventListener("change", () => {
    syncDateFields();
    if ($("date-mode").value === "any") runSearch();
  });
  $("search-clear").addEventListener("click", () => {
    clearSearchForm();
    runSearch();
  });
  syncDateFields();
}

function start() {
  let refreshTimer = 0;
  api.onUnauthorized = (message) => {
    api.clearKey();
    showSignIn(message);
  };

  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  setUpTabs();
  setUpSearch();
  setUpUploads();
  setUpLibrary({ onExport: openExport });
  setUpExport();
  setUpPicker();
  setUpListingEditor();

  on("scope-changed", () => {
    selectView("library", false);
    runSearch();
  });
  on("library-changed", () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshCapacity();
      refreshFolders();
      runSearch();
    }, REFRESH_DELAY_MS);
  });

  if (api.signedIn) showApp();
  else showSignIn("");
  showStatus("");
}

start();
