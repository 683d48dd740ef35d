// The one place the page talks to the gateway's HTTP API. Every call sends
// the seller's key as a bearer token, and a 401 signs the page out.

const KEY_STORAGE = "mediacenter.api_key";

/** An HTTP error with the parsed problem details (RFC 9457) of the response. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemMessage(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

/** Return the sentence to show for a problem: its detail, else its title, else the status. */
export function problemMessage(status, problem) {
  if (problem && typeof problem.detail === "string" && problem.detail) return problem.detail;
  if (problem && typeof problem.title === "string" && problem.title) return problem.title;
  if (status === 0) return "The gateway could not be reached. Check the connection and try again.";
  return `The request failed with HTTP status ${status}.`;
}

function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

function buildUrl(path, query) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  return url.pathname + url.search;
}

export class ApiClient {
  constructor() {
    this.key = localStorage.getItem(KEY_STORAGE) || "";
    // Called with the problem message when the gateway rejects the key.
    this.onUnauthorized = () => {};
  }

  get signedIn() {
    return this.key !== "";
  }

  setKey(key) {
    this.key = key;
    localStorage.setItem(KEY_STORAGE, key);
  }

  clearKey() {
    this.key = "";
    localStorage.removeItem(KEY_STORAGE);
  }

  /**
   * Send one request and return {status, data, headers}. Throws ApiError for
   * any status of 400 or more, and for network failures (status 0).
   */
  async request(method, path, { query, json, headers = {}, authenticate = true } = {}) {
    const sent = { ...headers };
    if (authenticate) sent.Authorization = `Bearer ${this.key}`;
    let body;
    if (json !== undefined) {
      sent["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    }
    let response;
    try {
      response = await fetch(buildUrl(path, query), { method, headers: sent, body });
    } catch (error) {
      throw new ApiError(0, null);
    }
    const data = parseBody(await response.text());
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && authenticate) this.onUnauthorized(error.message);
      throw error;
    }
    return { status: response.status, data, headers: response.headers };
  }

  async get(path, query) {
    return (await this.request("GET", path, { query })).data;
  }

  /**
   * Upload one file as multipart field "file" with XMLHttpRequest, which,
   * unlike fetch, reports upload progress. Resolves with {status, data} for
   * every HTTP status, so the caller can show rejections; rejects only when
   * the request could not be sent or was aborted.
   */
  upload(file, folderId, onProgress) {
    const xhr = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      xhr.open("POST", buildUrl("/v1/media", { folder_id: folderId }));
      xhr.setRequestHeader("Authorization", `Bearer ${this.key}`);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      });
      xhr.addEventListener("load", () => {
        const data = parseBody(xhr.responseText);
        if (xhr.status === 401) this.onUnauthorized(problemMessage(401, data));
        resolve({ status: xhr.status, data });
      });
      xhr.addEventListener("error", () => reject(new ApiError(0, null)));
      xhr.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
    return { promise, abort: () => xhr.abort() };
  }
}
