// Small DOM helpers. Text always goes through textContent, never innerHTML,
// because names and messages come from users and from the API.

export function $(id) {
  return document.getElementById(id);
}

/**
 * Create an element: attributes go through setAttribute (except `class`,
 * `text`, `on*` handlers and boolean properties), children are nodes or strings.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "checked" || name === "disabled" || name === "hidden" || name === "value") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function setText(id, text) {
  const element = $(id);
  element.textContent = text || "";
  return element;
}

/** Show a message in the polite status line at the top of the page. */
export function showStatus(message) {
  setText("status", message);
}

/** Show an error in the page banner. An empty message hides it. */
export function showError(message) {
  setText("page-error", message);
}

let announceTimer = 0;

/** Read a message to screen readers without showing it. */
export function announce(message) {
  const announcer = $("announcer");
  announcer.textContent = "";
  clearTimeout(announceTimer);
  // A short delay makes screen readers notice a repeated message.
  announceTimer = setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}
