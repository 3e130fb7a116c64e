// Admins: deliveries that gave up (GET /api/v1/admin/deliveries), each with a retry button.
"use strict";

function row(item) {
  const retry = App.el("button", { type: "button", class: "small" }, App.t("retry"));
  retry.addEventListener("click", async () => {
    try {
      await Inbox.post("/api/v1/admin/deliveries/" + item.notification_id + "/retry");
      retry.replaceWith(App.el("span", { class: "muted" }, App.t("retry_started")));
    } catch (error) {
      App.showError(error);
    }
  });
  return App.el(
    "tr",
    { "data-notification": String(item.notification_id) },
    App.el("td", {}, App.el("a", { href: "/board/cases/" + item.case_id + "?lang=" + App.lang }, item.case_id)),
    App.el("td", {}, App.county(item.county_code)),
    App.el("td", {}, App.t("channel_" + item.channel, item.channel)),
    App.el("td", {}, item.recipient),
    App.el("td", {}, String(item.attempts)),
    App.el("td", { class: "muted" }, item.last_error || ""),
    App.el("td", {}, App.cst(item.updated_at)),
    App.el("td", {}, retry)
  );
}

document.addEventListener("app:ready", async () => {
  try {
    const page = await App.api("/api/v1/admin/deliveries?limit=200");
    const body = document.querySelector("#failed tbody");
    body.replaceChildren(...page.items.map(row));
    if (!page.items.length) body.replaceChildren(App.el("tr", {}, App.el("td", { colspan: "8", class: "muted" }, App.t("empty"))));
    document.getElementById("failed-total").textContent = String(page.total);
  } catch (error) {
    App.showError(error);
  }
});
