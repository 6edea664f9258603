// The console page: draws what /api/events sends (the whole state, then health and new requests) and
// calls /api/send|fail|heal|reach. Every text from the server goes in as text, never as HTML.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
let WORDS = { en: {}, ko: {} };
let lang = localStorage.getItem("alblab-console-lang") || (navigator.language.startsWith("ko") ? "ko" : "en");
let state = null;
let connected = false;

function w(key, values) {
  const text = (WORDS[lang] && WORDS[lang][key]) || (WORDS.en && WORDS.en[key]) || key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => (values && name in values ? String(values[name]) : ""));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, body) {
  const options = { headers: { "X-Alblab-Token": TOKEN } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let data = null;
  try { data = JSON.parse(text); } catch (_e) { data = { error: text.trim() }; }
  if (!response.ok) throw new Error((data && data.error) || `${response.status}`);
  return data;
}

// The last message, kept as a function of the language so that switching it redraws the message too.
let message = { text: () => "", error: false };

function say(text, error) {
  message = { text: typeof text === "function" ? text : () => text, error: Boolean(error) };
  const box = document.getElementById("message");
  box.textContent = message.text();
  box.className = message.error ? "error" : "";
}

// --- the words of the model ---------------------------------------------------------------------------

function healthWord(word) { return w(word || "unknown"); }

function actionText(action) {
  if (action.type === "forward") {
    const groups = action.target_groups.map((g) => (action.target_groups.length > 1 ? `${g.name}:${g.weight}` : g.name));
    return w("forward", { tg: groups.join(", ") });
  }
  if (action.type === "fixed-response") return w("fixed", { code: action.status_code });
  if (action.type === "redirect") return w("redirect", { code: action.status_code });
  return action.text;
}

function clip(text, length) { return text.length > length ? `${text.slice(0, length - 1)}…` : text; }

function targetLabel(t) { return t.name === t.id ? t.id : `${t.name}`; }

// --- rendering ----------------------------------------------------------------------------------------

function renderHeader() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-w]")) node.textContent = w(node.dataset.w);
  for (const button of document.querySelectorAll("#lang button")) button.classList.toggle("on", button.dataset.lang === lang);
  const status = document.getElementById("status");
  const shown = connected ? (state ? state.status : "starting") : "reconnecting";
  status.dataset.status = shown;
  status.textContent = { up: w("live"), down: w("down"), "no-alb": w("no_alb"), "map-only": w("map_only"), reconnecting: w("reconnecting") }[shown] || shown;
  const lb = state && state.map ? state.map.load_balancer : null;
  document.getElementById("lb").textContent = lb ? `ALB ${lb.name} · ${lb.dns_name}` : (state ? `stack ${state.stack}` : "");
  const notice = document.getElementById("notice");
  notice.textContent = state && state.message ? state.message : "";
  notice.hidden = !notice.textContent;
  notice.className = state && state.status === "down" ? "down" : "";
  const lab = document.getElementById("lab");
  lab.hidden = !(state && state.lab);
  if (state && state.lab) {
    const step = state.lab;
    document.getElementById("lab-step").textContent = `${w("step", { n: step.number })}: ${step.title[lang] || step.title.en}`;
    document.getElementById("lab-notice").textContent = `${w("notice")}: ${step.notice[lang] || step.notice.en}`;
  }
}

function lastRequest() {
  const list = state ? state.requests : [];
  return list.length ? list[list.length - 1] : null;
}

function renderMap() {
  const cols = ["col-entry", "col-rules", "col-tgs", "col-targets"].map((id) => document.getElementById(id));
  for (const col of cols) col.replaceChildren();
  const wires = [];
  const map = state && state.map;
  if (!map) { drawWires([]); return; }
  const last = lastRequest();
  const lb = map.load_balancer;
  // Entry: you, then the ALB with its nodes and security groups.
  if (map.client_ip) {
    cols[0].append(el("div", { class: "card", id: "client" }, el("h3", { text: w("client") }), el("div", { class: "small", text: map.client_ip })));
    cols[0].append(el("div", { class: "down-arrow", text: "↓ HTTP" }));
  }
  cols[0].append(el("div", { class: "card", id: "alb" },
    el("h3", { text: `ALB ${lb.name}` }),
    el("div", { class: "small", text: lb.security_groups.map((g) => g.name).join(", ") }),
    lb.nodes.map((n) => el("div", { class: "small node", text: `${w("node", { name: n.name })} ${n.ip} ${n.az}` }))));
  // Listeners and their rules, in the order the ALB evaluates them.
  for (const listener of map.listeners) {
    const id = `listener-${listener.port}`;
    const card = el("div", { class: "card listener", id }, el("h3", { text: `${w("listener", { proto: listener.protocol, port: listener.port })}` }));
    for (const rule of listener.rules) {
      const ruleId = `rule-${listener.port}-${rule.priority === null ? "default" : rule.priority}`;
      const isLast = last && last.listener === listener.port && (last.rule === rule.priority);
      const prio = rule.priority === null ? w("default") : w("rule", { priority: rule.priority });
      const act = el("span", { class: rule.action.type === "forward" ? "act" : "act fixed", text: `→ ${actionText(rule.action)}` });
      if (rule.action.type === "fixed-response" && rule.action.body) act.append(el("span", { class: "small", text: ` "${clip(rule.action.body, 60)}" (${w("alb_itself")})` }));
      card.append(el("div", { class: isLast ? "rule last" : "rule", id: ruleId, "data-priority": rule.priority === null ? "default" : rule.priority },
        el("span", { class: "prio", text: prio }), el("span", { class: "cond", text: rule.conditions.join("; ") }), act));
      if (rule.action.type === "forward") {
        for (const g of rule.action.target_groups) {
          const hot = isLast && last.target_group === g.name;
          wires.push([ruleId, `tg-${g.name}`, hot ? "last" : ""]);
        }
      }
    }
    cols[1].append(card);
    wires.push(["alb", id, listener.ingress && !listener.ingress.allowed ? "denied" : "allowed"]);
  }
  // Target groups and their targets, with live health, counts and the last answer.
  for (const tg of map.target_groups) {
    const hc = tg.health_check;
    cols[2].append(el("div", { class: "card tg", id: `tg-${tg.name}`, "data-name": tg.name },
      el("h3", { text: tg.name }),
      el("div", { class: "small", text: `${w("type_" + tg.type)} · ${tg.protocol}:${tg.port}` }),
      el("div", { class: "small", text: w("health_check", { protocol: hc.protocol, path: hc.path, interval: hc.interval }) })));
    if (tg.targets.length) cols[3].append(el("div", { class: "tg-head", text: tg.name }));
    for (const t of tg.targets) {
      const live = (state.health || {})[t.key] || {};
      const count = (state.counts || {})[t.key] || 0;
      const isLast = last && last.key === t.key;
      const nodes = Object.entries(live.nodes || {}).map(([node, word]) => el("span", { text: `${node}: ${healthWord(word)}` }));
      const measured = directSeen[t.key];
      const direct = t.direct_edge ? el("div", { class: `direct ${t.direct_edge.allowed ? "allowed" : "denied"}`, title: t.direct_edge.reason,
        text: w("direct_short", { result: w(measured || (t.direct_edge.allowed ? "open" : "blocked")) }) }) : null;
      const buttons = el("div", { class: "buttons" },
        el("button", { type: "button", class: "fail", onclick: () => act("fail", { target: t.id, mode: state.fail_mode }, () => w("failed_now", { target: targetLabel(t), mode: state.fail_mode })), text: w("fail") }),
        el("button", { type: "button", class: "heal", onclick: () => act("heal", { target: t.id }, () => w("healed_now", { target: targetLabel(t) })), text: w("heal") }),
        t.kind === "instance" ? el("button", { type: "button", class: "reach", onclick: () => reach(t), text: w("reach") }) : null);
      const id = `t-${t.key}`;
      cols[3].append(el("div", { class: isLast ? "card target last" : "card target", id, "data-key": t.key, "data-id": t.id, "data-name": t.name,
        "data-health": live.state || "unknown", "data-direct": directSeen[t.key] || null },
        el("span", { class: "count", text: w("requests", { n: count }) }),
        el("h3", { text: `${targetLabel(t)}:${t.port}` }),
        el("div", { class: "small", text: `${t.id}${t.address && t.address !== t.id ? " · " + t.address : ""}${t.onprem ? " · " + w("onprem") : ""}` }),
        el("div", { class: "health", text: healthWord(live.state) }),
        el("div", { class: "nodes" }, nodes),
        direct, buttons));
      wires.push([`tg-${tg.name}`, id, isLast ? "last" : (t.alb_edge.allowed ? "allowed" : "denied")]);
    }
  }
  drawWires(wires);
}

function drawWires(wires) {
  const svg = document.getElementById("wires");
  const box = document.getElementById("map").getBoundingClientRect();
  svg.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  // The highlighted ones last, so they are drawn on top.
  for (const [from, to, cls] of [...wires].sort((a, b) => (a[2] === "last") - (b[2] === "last"))) {
    const a = document.getElementById(from);
    const b = document.getElementById(to);
    if (!a || !b) continue;
    const ra = a.getBoundingClientRect();
    const rb = b.getBoundingClientRect();
    const x1 = ra.right - box.left, y1 = ra.top + ra.height / 2 - box.top;
    const x2 = rb.left - box.left, y2 = rb.top + rb.height / 2 - box.top;
    const mid = (x1 + x2) / 2;
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
    if (cls) path.setAttribute("class", cls);
    svg.append(path);
  }
}

function renderSecurity() {
  const list = document.getElementById("sg");
  list.replaceChildren();
  const map = state && state.map;
  if (!map) return;
  const item = (edge, text) => el("li", { class: edge.allowed ? "allowed" : "denied" },
    el("b", { text: `${edge.allowed ? w("allowed") : w("denied")}: ` }), text, el("span", { class: "why", text: edge.reason }));
  for (const listener of map.listeners) {
    if (listener.ingress) list.append(item(listener.ingress, w("internet_to_alb", { ip: map.client_ip, listener: listener.name })));
  }
  const seen = new Set();
  for (const tg of map.target_groups) {
    for (const t of tg.targets) {
      const once = `${t.id}:${t.port}`;
      if (seen.has(once)) continue;
      seen.add(once);
      list.append(item(t.alb_edge, w("alb_to_target", { target: targetLabel(t), port: t.port })));
      if (t.direct_edge) list.append(item(t.direct_edge, w("direct_to_target", { ip: map.client_ip, target: targetLabel(t), port: t.port })));
    }
  }
}

function clock(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleTimeString("en-GB", { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function streamRow(r, fresh) {
  const who = r.target ? `${r.name}:${r.port}` : w("alb_itself");
  return el("tr", { class: fresh ? "new" : "", "data-seq": r.seq, "data-target": r.target || "", "data-target-name": r.target ? r.name : "", "data-status": r.status },
    el("td", { text: clock(r.time) }), el("td", { text: r.node }), el("td", { class: "uri", title: r.uri, text: `${r.method} ${r.uri}` }),
    el("td", { class: `s${String(r.status)[0]}`, text: r.status }),
    el("td", { text: r.rule === null ? w("default") : r.rule }), el("td", { text: who }));
}

function renderStream(fresh) {
  const body = document.querySelector("#stream tbody");
  const rows = (state ? state.requests : []).slice(-200).reverse();
  const freshSeqs = new Set((fresh || []).map((r) => r.seq));
  body.replaceChildren(...rows.map((r) => streamRow(r, freshSeqs.has(r.seq))));
  document.getElementById("stream-empty").hidden = rows.length > 0;
}

function renderPorts() {
  const select = document.getElementById("send-port");
  const listeners = state && state.map ? state.map.listeners : [];
  const keep = select.value;
  select.replaceChildren(...listeners.map((l) => el("option", { value: l.port, text: l.name })));
  if (keep) select.value = keep;
  document.getElementById("send-port-label").hidden = listeners.length < 2;
}

function render(fresh) {
  renderHeader();
  document.getElementById("message").textContent = message.text();
  renderMap();
  renderSecurity();
  renderStream(fresh);
  renderPorts();
}

// --- actions ------------------------------------------------------------------------------------------

const directSeen = {};

async function act(what, body, done) {
  try {
    await api(`/api/${what}`, body);
    say(done);
  } catch (error) {
    say(error.message, true);
  }
}

async function reach(t) {
  try {
    const result = await api("/api/reach", { target: t.id, port: t.port });
    for (const tg of state.map.target_groups) for (const other of tg.targets) if (other.id === t.id) directSeen[other.key] = result.result;
    say(() => w("direct_result", { target: targetLabel(t), port: t.port, result: w(result.result) }));
    render();
  } catch (error) {
    say(error.message, true);
  }
}

async function send(event) {
  event.preventDefault();
  const count = Number(document.getElementById("send-count").value);
  const port = document.getElementById("send-port").value;
  const body = {
    path: document.getElementById("send-path").value,
    count: Number.isInteger(count) ? count : document.getElementById("send-count").value,
    method: document.getElementById("send-method").value,
    host: document.getElementById("send-host").value || null,
    header: document.getElementById("send-header").value,
    port: port ? Number(port) : null,
  };
  const button = document.getElementById("send-button");
  button.disabled = true;
  try {
    const result = await api("/api/send", body);
    say(() => {
      const tally = {};
      for (const a of result.answers) {
        const who = a.instance ? (state.map ? nameOf(a.instance) : a.instance) : w("alb_itself");
        const key = a.status ? `${a.status} ${who}` : w("no_answer");
        tally[key] = (tally[key] || 0) + 1;
      }
      const summary = Object.entries(tally).map(([k, n]) => `${k} ×${n}`).join(", ");
      return w("sent", { n: result.answers.length, summary });
    });
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
  }
}

function nameOf(id) {
  for (const tg of state.map.target_groups) for (const t of tg.targets) if (t.id === id) return t.name;
  return id;
}

// --- the event stream ---------------------------------------------------------------------------------

function connect() {
  const events = new EventSource(`/api/events?token=${encodeURIComponent(TOKEN)}`);
  events.addEventListener("open", () => { connected = true; renderHeader(); });
  events.addEventListener("error", () => { connected = false; renderHeader(); });
  events.addEventListener("state", (e) => {
    connected = true;
    state = JSON.parse(e.data);
    render();
  });
  events.addEventListener("health", (e) => {
    if (!state) return;
    state.health = JSON.parse(e.data).health;
    renderMap();
  });
  events.addEventListener("requests", (e) => {
    if (!state) return;
    const data = JSON.parse(e.data);
    state.requests = state.requests.concat(data.items).slice(-200);
    state.counts = data.counts;
    renderMap();
    renderStream(data.items);
  });
}

async function main() {
  try {
    WORDS = await api("/api/words");
  } catch (error) {
    say(error.message, true);
  }
  for (const button of document.querySelectorAll("#lang button")) {
    button.addEventListener("click", () => {
      lang = button.dataset.lang;
      localStorage.setItem("alblab-console-lang", lang);
      render();
    });
  }
  document.getElementById("send-form").addEventListener("submit", send);
  window.addEventListener("resize", () => renderMap());
  render();
  connect();
}

document.addEventListener("DOMContentLoaded", main);
