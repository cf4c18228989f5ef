// Mesh web chat: plain JavaScript, no build step. Every piece of text from the server or the user is put into
// the page with textContent, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const ui = {
    keyForm: $("key-form"), key: $("key"), status: $("status"), newSession: $("new-session"), sessions: $("sessions"),
    notice: $("notice"), messages: $("messages"), composer: $("composer"), message: $("message"), send: $("send"), stop: $("stop"),
  };

  const PING_EVERY_MS = 20000;
  const PONG_WITHIN_MS = 10000;
  const MAX_BACKOFF_MS = 30000;

  const state = {
    key: "",
    sessionId: null,
    socket: null,
    lastSeq: 0,
    backoffMs: 500,
    reconnectTimer: null,
    pingTimer: null,
    pongTimer: null,
    turns: new Map(),     // turn_id -> { item, answer, tools: Map(request_id -> details) }
    unsent: new Map(),    // client_msg_id -> { message, item }: resent after a reconnect until acknowledged
  };

  const { el } = window.MeshPage;
  const setStatus = (text, kind) => window.MeshPage.setStatus(ui.status, text, kind);

  function scrollToEnd() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function systemLine(text, isError) {
    ui.messages.append(el("li", isError ? "system error" : "system", text));
    scrollToEnd();
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { "Authorization": "Bearer " + state.key, "Content-Type": "application/json", ...(options.headers || {}) },
    });
    if (!response.ok) {
      let detail = response.status + " " + response.statusText;
      try { const problem = await response.json(); detail = problem.detail || problem.title || detail; } catch { /* not JSON */ }
      throw new Error(detail);
    }
    return response.status === 204 ? null : response.json();
  }

  // ---- sessions -------------------------------------------------------------------------------------------

  async function loadSessions() {
    const page = await api("/v1/sessions?limit=50");
    ui.sessions.replaceChildren(...page.sessions.map((session) => {
      const item = el("li");
      const button = el("button", "", new Date(session.created_at).toLocaleString() + (session.persona_id ? " · " + session.persona_id : ""));
      button.type = "button";
      button.title = session.id;
      button.dataset.sessionId = session.id;
      button.setAttribute("aria-current", String(session.id === state.sessionId));
      button.addEventListener("click", () => openSession(session.id));
      item.append(button);
      return item;
    }));
  }

  async function useKey(key) {
    state.key = key.trim();
    sessionStorage.setItem("mesh.key", state.key);
    try {
      await loadSessions();
      ui.newSession.disabled = false;
      ui.notice.textContent = "Open a session on the left, or create a new one.";
    } catch (error) {
      ui.newSession.disabled = true;
      ui.notice.textContent = "That key was not accepted: " + error.message;
    }
  }

  async function createSession() {
    try {
      const session = await api("/v1/sessions", { method: "POST", body: JSON.stringify({ metadata: { client: "web-chat" } }) });
      await loadSessions();
      openSession(session.id);
    } catch (error) {
      systemLine("Could not create a session: " + error.message, true);
    }
  }

  function openSession(id) {
    disconnect();
    state.sessionId = id;
    state.lastSeq = 0;
    state.turns.clear();
    state.unsent.clear();
    ui.messages.replaceChildren();
    ui.notice.textContent = "Session " + id;
    for (const button of ui.sessions.querySelectorAll("button")) {
      button.setAttribute("aria-current", String(button.dataset.sessionId === id));
    }
    ui.message.disabled = false;
    ui.send.disabled = false;
    ui.stop.disabled = false;
    connect();
    ui.message.focus();
  }

  // ---- the socket: replay after the last seen seq, then live; reconnect with backoff ----------------------

  function connect() {
    clearTimeout(state.reconnectTimer);
    const id = state.sessionId;
    if (!id || !state.key) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = scheme + "//" + location.host + "/v1/sessions/" + encodeURIComponent(id) + "/ws?after=" + state.lastSeq;
    setStatus("connecting…", "retrying");
    // Browsers cannot set headers on a WebSocket: the key travels as a subprotocol and the gateway answers mesh.v1.
    const socket = new WebSocket(url, ["mesh.v1", "mesh.bearer." + state.key]);
    state.socket = socket;

    socket.addEventListener("open", () => {
      if (state.socket !== socket) return;
      state.backoffMs = 500;
      setStatus("connected", "open");
      schedulePing(socket);
      for (const [clientMsgId, pending] of state.unsent) {
        socket.send(JSON.stringify({ type: "chat.send", message: pending.message, client_msg_id: clientMsgId }));
      }
    });
    socket.addEventListener("message", (message) => {
      if (state.socket !== socket) return;
      clearTimeout(state.pongTimer);
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      handleFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (state.socket !== socket) return;
      state.socket = null;
      clearTimeout(state.pingTimer);
      clearTimeout(state.pongTimer);
      if (event.code === 1000 && event.reason === "session deleted") {
        setStatus("session deleted", "idle");
        return;
      }
      const delay = Math.min(state.backoffMs, MAX_BACKOFF_MS);
      state.backoffMs = Math.min(state.backoffMs * 2, MAX_BACKOFF_MS);
      setStatus("reconnecting in " + Math.round(delay / 1000) + " s…", "retrying");
      state.reconnectTimer = setTimeout(connect, delay * (0.8 + Math.random() * 0.4));
    });
  }

  function disconnect() {
    clearTimeout(state.reconnectTimer);
    clearTimeout(state.pingTimer);
    clearTimeout(state.pongTimer);
    const socket = state.socket;
    state.socket = null;
    if (socket) socket.close(1000, "bye");
    setStatus("not connected", "idle");
  }

  // A ping keeps the connection open on the gateway and tells us quickly when the network is gone.
  function schedulePing(socket) {
    clearTimeout(state.pingTimer);
    state.pingTimer = setTimeout(() => {
      if (state.socket !== socket || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: "ping" }));
      state.pongTimer = setTimeout(() => socket.close(4000, "no pong"), PONG_WITHIN_MS);
      schedulePing(socket);
    }, PING_EVERY_MS);
  }

  window.addEventListener("online", () => { if (!state.socket && state.sessionId) { state.backoffMs = 500; connect(); } });
  window.addEventListener("offline", () => { if (state.socket) state.socket.close(4001, "offline"); });

  // ---- frames -> page ---------------------------------------------------------------------------------------

  function handleFrame(frame) {
    if (typeof frame.seq === "number") {
      if (frame.seq <= state.lastSeq) return;
      state.lastSeq = frame.seq;
      renderEvent(frame);
      scrollToEnd();
      return;
    }
    if (frame.type === "ack" && frame.client_msg_id) {
      state.unsent.delete(frame.client_msg_id);
    } else if (frame.type === "error") {
      if (frame.client_msg_id) state.unsent.delete(frame.client_msg_id);
      systemLine((frame.error && frame.error.message) || "error", true);
    }
  }

  function turnOf(event) {
    let turn = state.turns.get(event.turn_id);
    if (!turn) {
      const item = el("li", "assistant");
      item.dataset.turnId = event.turn_id;
      const tools = el("div", "tools");
      const answer = el("div", "answer");
      item.append(tools, answer);
      ui.messages.append(item);
      turn = { item, tools, answer, cards: new Map() };
      state.turns.set(event.turn_id, turn);
    }
    return turn;
  }

  function toolCard(turn, tool) {
    let card = turn.cards.get(tool.request_id);
    if (!card) {
      card = el("details", "tool");
      card.append(el("summary"), el("dl"));
      turn.tools.append(card);
      turn.cards.set(tool.request_id, card);
    }
    return card;
  }

  function fillCard(card, tool) {
    const status = tool.status || "running";
    card.dataset.status = status;
    card.querySelector("summary").textContent = tool.name + " — " + status.replaceAll("_", " ") +
      (typeof tool.duration_ms === "number" ? " (" + tool.duration_ms + " ms)" : "");
    const rows = [["call", "#" + tool.call_index], ["request", tool.request_id]];
    if (tool.summary) rows.push(["result", tool.summary]);
    if (tool.from_cache) rows.push(["cache", "served from cache"]);
    card.querySelector("dl").replaceChildren(...rows.flatMap(([name, value]) => [el("dt", "", name), el("dd", "", value)]));
  }

  function renderEvent(event) {
    switch (event.type) {
      case "message.accepted": {
        const pending = event.client_msg_id && ui.messages.querySelector("li.user.pending[data-client-msg-id=\"" + CSS.escape(event.client_msg_id) + "\"]");
        if (pending) {
          pending.classList.remove("pending");
        } else {
          ui.messages.append(el("li", "user", event.text));
        }
        break;
      }
      case "assistant.started":
        turnOf(event);
        break;
      case "assistant.delta":
        turnOf(event).answer.textContent += event.delta;
        break;
      case "tool.started":
      case "tool.completed": {
        const turn = turnOf(event);
        fillCard(toolCard(turn, event.tool), event.tool);
        break;
      }
      case "assistant.final": {
        const turn = turnOf(event);
        turn.answer.textContent = event.text;
        if (event.usage) {
          turn.item.append(el("span", "usage", event.usage.input_tokens + " in · " + event.usage.output_tokens + " out tokens"));
        }
        turn.item.dataset.final = "true";
        break;
      }
      case "error":
        turnOf(event).item.append(el("div", "turn-error", (event.error && event.error.message) || "The turn failed."));
        break;
      case "turn.cancelled":
        turnOf(event).item.append(el("div", "turn-error", "Cancelled" + (event.reason ? " (" + event.reason + ")" : "") + "."));
        break;
      default:
        break;
    }
  }

  // ---- user actions -------------------------------------------------------------------------------------------

  function sendMessage() {
    const text = ui.message.value.trim();
    if (!text || !state.sessionId) return;
    const clientMsgId = "web-" + crypto.randomUUID();
    const item = el("li", "user pending", text);
    item.dataset.clientMsgId = clientMsgId;
    ui.messages.append(item);
    scrollToEnd();
    state.unsent.set(clientMsgId, { message: text, item });
    ui.message.value = "";
    // Unacknowledged messages are sent again after a reconnect with the same client_msg_id, which the gateway de-duplicates.
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify({ type: "chat.send", message: text, client_msg_id: clientMsgId }));
    }
  }

  ui.keyForm.addEventListener("submit", (event) => { event.preventDefault(); useKey(ui.key.value); });
  ui.newSession.addEventListener("click", createSession);
  ui.composer.addEventListener("submit", (event) => { event.preventDefault(); sendMessage(); });
  ui.message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); sendMessage(); }
  });
  ui.stop.addEventListener("click", () => {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify({ type: "chat.cancel" }));
  });

  (async () => {
    state.key = await window.MeshPage.initialKey("mesh.key", "key");
    ui.key.value = state.key;
    if (state.key) await useKey(state.key);
  })();
})();
