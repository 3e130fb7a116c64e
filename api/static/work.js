// My work: by default the queue, the cases of the caller's counties waiting for an action of
// their role (GET /api/v1/cases?waiting_for_me=true); or every case of their counties. Soonest
// deadline first, with the rule and due time of each case's next deadline.
"use strict";

const PAGE_SIZE = 50;

function workQuery(form, offset) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (form.elements.scope.value === "mine") params.set("waiting_for_me", "true");
  for (const name of ["kind", "status", "county_code", "case_number", "employer"]) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  // A date is the start of that day in China Standard Time.
  const due = form.elements.due_before.value;
  if (due) params.set("due_before", due + "T00:00:00+08:00");
  if (form.elements.overdue.checked) params.set("overdue", "true");
  return "/api/v1/cases?" + params.toString();
}

function workRow(c) {
  const late = c.sla_state === "overdue" || c.sla_state === "breached";
  return App.el(
    "tr",
    { class: "row " + (c.sla_state || "") + (late ? " late" : ""), "data-case-id": c.case_id },
    App.el("td", {}, App.el("a", { href: "/board/cases/" + c.case_id + "?lang=" + App.lang }, c.case_id)),
    App.el(
      "td",
      {},
      App.t("kind_" + c.kind, c.kind),
      c.channel === "online"
        ? App.el("span", { class: "badge source online" }, App.t("channel_online"))
        : c.source === "complaint"
          ? App.el("span", { class: "badge source" }, App.t("source_complaint"))
          : null,
      // MA-4: green-channel cases come first, whatever their deadline; the row says why.
      c.priority ? App.el("span", { class: "badge source priority" }, App.t("priority")) : null
    ),
    App.el("td", {}, App.county(c.county_code)),
    App.el("td", {}, App.status(c.status)),
    App.el("td", {}, c.next_due_name ? App.t("dl_" + c.next_due_name, c.next_due_name) : "—"),
    App.el("td", {}, App.rule(c.next_due_rule) || "—"),
    App.el("td", {}, c.next_due_at ? App.cst(c.next_due_at) : "—"),
    App.el("td", {}, c.sla_state ? App.el("span", { class: "badge " + c.sla_state }, App.t("state_" + c.sla_state, c.sla_state)) : "—"),
    App.el("td", {}, c.employer_name || "—"),
    App.el("td", {}, App.money(c.amount_owed))
  );
}

document.addEventListener("app:ready", () => {
  const form = document.getElementById("filters");
  const body = document.querySelector("#work tbody");
  const more = document.getElementById("more");
  const hint = document.getElementById("work-hint");
  let offset = 0;

  async function load(append) {
    App.hideError();
    hint.textContent = hint.dataset[form.elements.scope.value];
    try {
      const page = await App.api(workQuery(form, offset));
      const rows = page.items.map(workRow);
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      offset += page.items.length;
      more.hidden = offset >= page.total;
      document.getElementById("empty").hidden = page.total > 0;
      document.getElementById("work-total").textContent = App.t("work_total").replace("{n}", page.total);
      document.body.dataset.loaded = "true";
    } catch (error) {
      App.showError(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    offset = 0;
    load(false);
  });
  for (const radio of form.elements.scope) {
    radio.addEventListener("change", () => form.requestSubmit());
  }
  form.addEventListener("reset", () => {
    window.setTimeout(() => form.requestSubmit(), 0);
  });
  more.addEventListener("click", () => load(true));
  load(false);
});
