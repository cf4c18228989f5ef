// Mesh ops page: plain JavaScript, no build step. It asks Prometheus through the gateway (/ops/api/v1/query and
// /ops/api/v1/query_range, service keys only) and draws small inline SVG charts. Text from Prometheus is put into the
// page with textContent, never as HTML.
"use strict";

(() => {
  const REFRESH_MS = 5000;
  const WINDOW_S = 15 * 60;
  const STEP_S = 15;
  const SVG = "http://www.w3.org/2000/svg";
  const CHART = { width: 160, height: 32, pad: 2 };

  // Probes and Prometheus's own scrapes would otherwise be most of the traffic of an idle mesh.
  const PROBES = 'http_route!~"/metrics|/healthz|/readyz"';
  const QUERIES = {
    up: 'up{service!=""}',
    readiness: "max by (job, dependency) (mesh_readiness_dependency_up)",
    // "or ... * 0" keeps a row, at zero, for a service that has served no request yet.
    requests: `sum by (job) (rate(mesh_http_server_request_duration_seconds_count{${PROBES}}[1m])) or sum by (job) (up{service!=""}) * 0`,
    p50: "tool:mesh_tool_execution_seconds:p50_5m",
    p95: "tool:mesh_tool_execution_seconds:p95_5m",
    p99: "tool:mesh_tool_execution_seconds:p99_5m",
    lag: "group:mesh_kafka_consumer_lag:sum",
  };

  const $ = (id) => document.getElementById(id);
  const ui = { keyForm: $("key-form"), key: $("key"), status: $("status"), error: $("error") };
  const panels = { health: $("health"), requests: $("requests"), tools: $("tools"), lag: $("lag") };
  const state = { key: "", timer: null, generation: 0 };

  const { el } = window.MeshPage;
  const setStatus = (text, kind) => window.MeshPage.setStatus(ui.status, text, kind);

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  }

  // ---- Prometheus through the gateway --------------------------------------------------------------------

  async function prometheus(endpoint, params) {
    const response = await fetch("/ops/api/v1/" + endpoint + "?" + new URLSearchParams(params), {
      headers: { "Authorization": "Bearer " + state.key },
      cache: "no-store",
    });
    let body = null;
    try { body = await response.json(); } catch { /* not JSON: described below */ }
    if (!response.ok || !body || body.status !== "success") {
      // The gateway's own problems (no key, Prometheus unreachable) carry detail; Prometheus's errors carry error.
      const detail = body && (body.detail || body.error || body.title);
      throw new Error((response.ok ? "" : response.status + " ") + (detail || response.statusText || "unreadable answer"));
    }
    return body.data.result;
  }

  function range(query, now) {
    return prometheus("query_range", { query, start: String(now - WINDOW_S), end: String(now), step: String(STEP_S) });
  }

  function instant(query, now) {
    return prometheus("query", { query, time: String(now) });
  }

  // Prometheus writes sample values as strings, "NaN" included.
  function points(series) {
    return (series.values || []).map(([t, v]) => [Number(t), Number(v)]);
  }

  function last(series) {
    const values = points(series);
    return values.length ? values[values.length - 1][1] : NaN;
  }

  // ---- formatting and charts -----------------------------------------------------------------------------

  function duration(seconds) {
    if (!Number.isFinite(seconds)) return "–";
    if (seconds < 1) {
      const ms = seconds * 1000;
      return (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)) + " ms";
    }
    return seconds.toFixed(2) + " s";
  }

  function rate(value) {
    return Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) + " req/s" : "–";
  }

  function count(value) {
    return Number.isFinite(value) ? String(Math.round(value)) : "–";
  }

  // One small chart over the whole window: a line per series (class s0, s1, ...), gaps where values are missing,
  // and a dot on each series' latest point.
  function chart(seriesPoints, period, label) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${CHART.width} ${CHART.height}`);
    svg.setAttribute("width", String(CHART.width));
    svg.setAttribute("height", String(CHART.height));
    svg.setAttribute("role", "img");
    svg.setAttribute("class", "chart");
    const title = document.createElementNS(SVG, "title");
    title.textContent = label;
    svg.append(title);

    const finite = seriesPoints.flat().map(([, v]) => v).filter(Number.isFinite);
    const max = Math.max(...finite, 0) || 1;
    const x = (t) => CHART.pad + ((t - period.start) / (period.end - period.start)) * (CHART.width - 2 * CHART.pad);
    const y = (v) => CHART.height - CHART.pad - (v / max) * (CHART.height - 2 * CHART.pad);
    seriesPoints.forEach((values, index) => {
      let d = "";
      let pen = false;
      let lastPoint = null;
      for (const [t, v] of values) {
        if (!Number.isFinite(v)) { pen = false; continue; }
        d += (pen ? "L" : "M") + x(t).toFixed(1) + " " + y(v).toFixed(1);
        pen = true;
        lastPoint = [t, v];
      }
      if (d) {
        const path = document.createElementNS(SVG, "path");
        path.setAttribute("d", d);
        path.setAttribute("class", "line s" + index);
        svg.append(path);
      }
      if (lastPoint) {
        const dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x(lastPoint[0]).toFixed(1));
        dot.setAttribute("cy", y(lastPoint[1]).toFixed(1));
        dot.setAttribute("r", "2");
        dot.setAttribute("class", "point s" + index);
        svg.append(dot);
      }
    });
    return svg;
  }

  function row(name, cells, chartNode) {
    const tr = el("tr");
    tr.dataset.series = name;
    const th = el("th", "name", name);
    th.scope = "row";
    tr.append(th, ...cells, el("td", "chart-cell"));
    tr.lastChild.append(chartNode);
    return tr;
  }

  function fill(panel, rows, emptyText) {
    panel.querySelector("tbody").replaceChildren(...rows);
    panel.querySelector(".panel-note").textContent = rows.length ? "" : emptyText;
    panel.dataset.state = rows.length ? "ok" : "empty";
  }

  function fail(panel, error) {
    panel.querySelector(".panel-note").textContent = "Cannot show this panel: " + error.message;
    panel.dataset.state = "error";
  }

  const byLabel = (label) => (a, b) => String(a.metric[label]).localeCompare(String(b.metric[label]));

  // ---- the panels ------------------------------------------------------------------------------------------

  async function health(period) {
    const [up, readiness] = await Promise.all([range(QUERIES.up, period.end), instant(QUERIES.readiness, period.end)]);
    const rows = up.sort(byLabel("job")).map((series) => {
      const job = series.metric.job || "";
      const isUp = last(series) === 1;
      const stateCell = el("td", "value");
      stateCell.append(el("span", "badge " + (isUp ? "ok" : "bad"), isUp ? "up" : "down"));
      const dependencies = el("td", "dependencies");
      for (const check of readiness.filter((r) => r.metric.job === job).sort(byLabel("dependency"))) {
        const ready = Number(check.value[1]) === 1;
        const badge = el("span", "badge small " + (ready ? "ok" : "bad"), check.metric.dependency || "?");
        badge.title = ready ? "ready" : "not ready";
        dependencies.append(badge);
      }
      return row(job, [stateCell, dependencies], chart([points(series)], period, job + " up"));
    });
    fill(panels.health, rows, "No service is scraped by this Prometheus.");
  }

  async function requests(period) {
    const result = await range(QUERIES.requests, period.end);
    const rows = result.sort(byLabel("job")).map((series) =>
      row(series.metric.job || "", [el("td", "value", rate(last(series)))], chart([points(series)], period, series.metric.job + " requests per second")));
    fill(panels.requests, rows, "No HTTP requests measured yet.");
  }

  async function tools(period) {
    const results = await Promise.all(["p50", "p95", "p99"].map((q) => range(QUERIES[q], period.end)));
    const names = [...new Set(results.flat().map((s) => s.metric.tool || ""))].sort();
    const rows = names.map((tool) => {
      const series = results.map((result) => result.find((s) => (s.metric.tool || "") === tool));
      const cells = series.map((s) => el("td", "value", duration(s ? last(s) : NaN)));
      return row(tool, cells, chart(series.map((s) => (s ? points(s) : [])), period, tool + " p50, p95 and p99"));
    });
    fill(panels.tools, rows, "No tool has run in the last 15 minutes.");
  }

  async function lag(period) {
    const result = await range(QUERIES.lag, period.end);
    const rows = result.sort(byLabel("group")).map((series) =>
      row(series.metric.group || "", [el("td", "value", count(last(series)))], chart([points(series)], period, series.metric.group + " lag")));
    fill(panels.lag, rows, "No consumer group reports lag yet.");
  }

  // ---- refresh loop ---------------------------------------------------------------------------------------

  async function refresh() {
    clearTimeout(state.timer);
    const generation = ++state.generation;
    const end = Math.floor(Date.now() / 1000);
    const period = { start: end - WINDOW_S, end };
    const work = { health, requests, tools, lag };
    const outcomes = await Promise.allSettled(Object.values(work).map((draw) => draw(period)));
    if (generation !== state.generation) return;
    const failures = [];
    Object.keys(work).forEach((name, index) => {
      const outcome = outcomes[index];
      if (outcome.status === "rejected") {
        fail(panels[name], outcome.reason);
        failures.push(outcome.reason.message);
      }
    });
    if (failures.length) {
      showError("Prometheus data is not available: " + failures[0]);
      setStatus("error", "error");
    } else {
      showError("");
      setStatus("updated " + new Date().toLocaleTimeString(), "open");
    }
    state.timer = setTimeout(refresh, REFRESH_MS);
  }

  function useKey(key) {
    state.key = key.trim();
    sessionStorage.setItem("mesh.ops-key", state.key);
    if (!state.key) {
      setStatus("no key", "idle");
      return;
    }
    setStatus("loading…", "retrying");
    refresh();
  }

  ui.keyForm.addEventListener("submit", (event) => { event.preventDefault(); useKey(ui.key.value); });

  (async () => {
    state.key = await window.MeshPage.initialKey("mesh.ops-key", "ops_key");
    ui.key.value = state.key;
    useKey(state.key);
  })();
})();
