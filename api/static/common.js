// Shared by every page: labels, the bearer token, API calls, time formatting.
"use strict";

const TOKEN_KEY = "lce_token";
const LANG_KEY = "lce_lang";

const App = {
  labels: {},
  lang: "zh",

  t(key, fallback) {
    const value = App.labels[key];
    return value === undefined ? (fallback === undefined ? key : fallback) : value;
  },

  token() {
    return window.localStorage.getItem(TOKEN_KEY);
  },

  setToken(token) {
    window.localStorage.setItem(TOKEN_KEY, token);
  },

  toLogin() {
    const next = window.location.pathname + window.location.search;
    window.location.assign("/login?lang=" + App.lang + "&next=" + encodeURIComponent(next));
  },

  // Calls the JSON API with the user's token; a 401 sends them back to log in.
  async api(path) {
    const token = App.token();
    if (!token) {
      App.toLogin();
      throw new Error("not logged in");
    }
    const response = await fetch(path, { headers: { Authorization: "Bearer " + token } });
    if (response.status === 401) {
      window.localStorage.removeItem(TOKEN_KEY);
      App.toLogin();
      throw new Error("unauthenticated");
    }
    const body = await response.json();
    if (!response.ok) {
      const message = body && body.error ? body.error.message : response.statusText;
      throw new Error(response.status + ": " + message);
    }
    return body;
  },

  // Sends a change with the token: {ok, status, body}; only a network failure throws.
  async send(method, path, body, headers) {
    const token = App.token();
    if (!token) {
      App.toLogin();
      throw new Error("not logged in");
    }
    const response = await fetch(path, {
      method,
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", ...(headers || {}) },
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      window.localStorage.removeItem(TOKEN_KEY);
      App.toLogin();
      throw new Error("unauthenticated");
    }
    const parsed = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body: parsed };
  },

  // Downloads an export with the token (a plain link could not carry the header).
  async download(path, filename) {
    const response = await fetch(path, { headers: { Authorization: "Bearer " + App.token() } });
    if (response.status === 401) return App.toLogin();
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.click();
    URL.revokeObjectURL(url);
  },

  showError(error) {
    const box = document.getElementById("error");
    if (box) {
      box.textContent = App.t("load_failed") + ": " + error.message;
      box.hidden = false;
    }
  },

  hideError() {
    const box = document.getElementById("error");
    if (box) box.hidden = true;
  },

  // Instants are shown in China Standard Time, whatever the browser's zone.
  cst(iso) {
    if (!iso) return "";
    const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    const text = shifted.toISOString().slice(0, 16).replace("T", " ");
    if (!text.endsWith(" 00:00")) return text;
    // A deadline at the end of a day is shown on that day, as 24:00, not as the next day.
    const before = new Date(shifted.getTime() - 60 * 1000).toISOString().slice(0, 10);
    return before + " 24:00";
  },

  // The time of day now, China Standard Time, like every other time on the pages.
  nowCst() {
    return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(11, 19);
  },

  // The label separator: a full-width colon in Chinese.
  sep() {
    return App.lang === "zh" ? "：" : ": ";
  },

  status(value) {
    return value ? App.t("status_" + value, value) : "—";
  },

  duration(seconds) {
    const negative = seconds < 0;
    let left = Math.abs(Math.trunc(seconds));
    const d = Math.floor(left / 86400);
    left -= d * 86400;
    const h = Math.floor(left / 3600);
    left -= h * 3600;
    const m = Math.floor(left / 60);
    const s = left - m * 60;
    const parts = [];
    if (d) parts.push(d + App.t("days"));
    if (d || h) parts.push(h + App.t("hours"));
    if (!d) parts.push(m + App.t("minutes"));
    if (!d && !h) parts.push(s + App.t("seconds"));
    const text = parts.join(" ");
    return negative ? App.t("overdue_by") + " " + text : text;
  },

  // A rule id with the provision people recognise ("WA-1 · 一般问题3日内清偿"); "WA-2, WA-3" too.
  rule(value) {
    if (!value) return "";
    return String(value)
      .split(",")
      .map((id) => App.t("rule_" + id.trim(), id.trim()))
      .join(App.lang === "zh" ? "；" : "; ");
  },

  action(name) {
    return App.t("action_" + name, App.t("what_" + name, name));
  },

  role(value) {
    return App.t("role_" + value, value);
  },

  county(code) {
    return App.t("county_" + code, code);
  },

  money(value) {
    const number = Number(value || 0);
    return number.toLocaleString(App.lang === "zh" ? "zh-CN" : "en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  },

  // Who is logged in, in the header; county filters offer the user's own counties only.
  // GET /api/v1/me once per page: who the caller is, their counties and the kinds they open.
  whoami() {
    if (!App._me) App._me = App.api("/api/v1/me").catch(() => null);
    return App._me;
  },

  async showWhoami() {
    const me = await App.whoami();
    if (!me) return; // the page's own calls show the error
    const who = document.getElementById("whoami");
    who.textContent = [me.user_id, App.role(me.role), me.counties.map(App.county).join("、")].join(" · ");
    who.hidden = false;
    for (const select of document.querySelectorAll("select[data-own-counties]")) {
      for (const option of Array.from(select.options)) {
        if (option.value && !me.counties.includes(option.value)) option.remove();
      }
    }
  },

  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      // Through the CSSOM: the pages' CSP refuses style attributes.
      else if (key === "style") Object.assign(node.style, value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  App.labels = JSON.parse(document.getElementById("labels").textContent);
  App.lang = document.body.dataset.lang;
  const params = new URLSearchParams(window.location.search);
  // The language switch is remembered: a page opened without ?lang= follows the last choice.
  const remembered = window.localStorage.getItem(LANG_KEY);
  if (!params.has("lang") && remembered && remembered !== App.lang) {
    params.set("lang", remembered);
    window.location.replace(window.location.pathname + "?" + params.toString());
    return;
  }
  const switcher = document.getElementById("lang-switch");
  switcher.addEventListener("click", (event) => {
    event.preventDefault();
    window.localStorage.setItem(LANG_KEY, switcher.dataset.to);
    params.set("lang", switcher.dataset.to);
    window.location.assign(window.location.pathname + "?" + params.toString());
  });
  document.getElementById("logout").addEventListener("click", async (event) => {
    event.preventDefault();
    window.localStorage.removeItem(TOKEN_KEY);
    // A codec session this browser opened for the Temporal UI ends with the logout too.
    await fetch("/codec/session", { method: "DELETE" }).catch(() => {});
    App.toLogin();
  });
  if (document.body.dataset.page !== "login" && App.token()) App.showWhoami();
  document.dispatchEvent(new Event("app:ready"));
});
