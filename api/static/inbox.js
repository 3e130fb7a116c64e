// The inbox: the caller's notifications from GET /api/v1/notifications, unread first.
"use strict";

const PAGE = 50;
let shown = 0;

function query(offset) {
  const params = new URLSearchParams({ lang: App.lang, limit: String(PAGE), offset: String(offset) });
  if (document.getElementById("unread-only").checked) params.set("unread_only", "true");
  const caseId = document.getElementById("case-filter").value.trim().toUpperCase();
  if (/^[A-Z]{2}-\d{4}-\d{6}$/.test(caseId)) params.set("case_id", caseId);
  return "/api/v1/notifications?" + params.toString();
}

function entry(item) {
  const link = App.el("a", { href: "/board/cases/" + item.case_id + "?lang=" + App.lang }, item.text);
  const meta = App.el("span", { class: "muted" }, App.cst(item.created_at) + " · " + App.rule(item.rule) + " · " + App.county(item.county_code));
  const li = App.el("li", { class: item.read ? "read" : "unread", "data-id": String(item.id), "data-kind": item.kind }, link, meta);
  if (!item.read) {
    const button = App.el("button", { type: "button", class: "small" }, App.t("inbox_mark_read"));
    button.addEventListener("click", async () => {
      const marked = await Inbox.post("/api/v1/notifications/" + item.id + "/read");
      li.className = "read";
      button.remove();
      Inbox.showCount(marked.unread);
    });
    li.append(button);
  }
  return li;
}

async function load(append) {
  App.hideError();
  try {
    const page = await App.api(query(append ? shown : 0));
    const list = document.getElementById("inbox");
    const items = page.items.map(entry);
    if (append) list.append(...items);
    else list.replaceChildren(...items);
    shown = (append ? shown : 0) + page.items.length;
    if (!shown) list.replaceChildren(App.el("li", { class: "muted" }, App.t("empty")));
    document.getElementById("inbox-total").textContent = page.unread + " " + App.t("inbox_unread") + " / " + page.total;
    document.getElementById("more").hidden = shown >= page.total;
    Inbox.showCount(page.unread);
  } catch (error) {
    App.showError(error);
  }
}

document.addEventListener("app:ready", () => {
  document.getElementById("unread-only").addEventListener("change", () => load(false));
  document.getElementById("case-filter").addEventListener("change", () => load(false));
  document.getElementById("more").addEventListener("click", () => load(true));
  document.getElementById("mark-all").addEventListener("click", async () => {
    try {
      await Inbox.post("/api/v1/notifications/read-all");
      await load(false);
    } catch (error) {
      App.showError(error);
    }
  });
  load(false);
});
