// What the chat page and the ops page share: plain JavaScript, no build step, loaded before each page's own script.
"use strict";

window.MeshPage = Object.freeze({
  // An element with a class and text; text is always set with textContent, never as HTML.
  el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  },

  // A status badge: its text and its state (styled through data-state).
  setStatus(node, text, kind) {
    node.textContent = text;
    node.dataset.state = kind;
  },

  // The key a page should start with: the one kept for this tab, or in development the one the gateway hands to a
  // browser on the same machine (`field` of /dev-key.json), or "" when the user must enter one.
  async initialKey(storageKey, field) {
    const kept = sessionStorage.getItem(storageKey);
    if (kept) return kept;
    try {
      const response = await fetch("/dev-key.json");
      if (response.ok) return (await response.json())[field] || "";
    } catch { /* no dev key: the user enters one */ }
    return "";
  },
});
