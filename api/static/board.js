// The SLA board: deadlines across cases, soonest first, counting down, reloaded every N seconds.
"use strict";

const LATE = new Set(["overdue", "breached"]);
let rows = [];
let loadedAt = Date.now();

function filters() {
  const params = new URLSearchParams({ limit: "200" });
  for (const id of ["county", "kind"]) {
    const value = document.getElementById(id).value;
    if (value) params.set(id === "county" ? "county_code" : id, value);
  }
  return params;
}

function secondsLeft(item) {
  return item.seconds_left - (Date.now() - loadedAt) / 1000;
}

function stateOf(item) {
  // A pending deadline whose time came between two reloads is shown overdue at once.
  if (item.sla_state !== "breached" && !item.paused && secondsLeft(item) < 0) return "overdue";
  return item.sla_state;
}

function render() {
  const body = document.querySelector("#board tbody");
  body.replaceChildren(
    ...rows.map((item) => {
      const state = stateOf(item);
      const link = App.el("a", { href: "/board/cases/" + item.case_id + "?lang=" + App.lang }, item.case_id);
      const tags = [];
      if (item.priority) tags.push(App.el("span", { class: "tag green" }, App.t("priority")));
      if (item.provisional) tags.push(App.el("span", { class: "tag" }, App.t("provisional")));
      if (item.paused) tags.push(App.el("span", { class: "tag" }, App.t("paused")));
      return App.el(
        "tr",
        { class: "row " + state + (LATE.has(state) ? " late" : ""), "data-case-id": item.case_id, "data-deadline": item.deadline, "data-state": state },
        App.el("td", {}, link, ...tags),
        App.el("td", {}, App.t("kind_" + item.kind, item.kind)),
        App.el("td", {}, App.county(item.county_code)),
        App.el("td", {}, App.t("dl_" + item.deadline, item.deadline)),
        App.el("td", {}, App.rule(item.rule)),
        App.el("td", {}, App.cst(item.due_at)),
        App.el("td", { class: "left" }, App.duration(secondsLeft(item))),
        App.el("td", {}, App.el("span", { class: "badge " + state }, App.t("state_" + state, state)))
      );
    })
  );
  document.getElementById("empty").hidden = rows.length > 0;
}

function tick() {
  // Only the countdown cells change every second; the rows come from the API.
  const cells = document.querySelectorAll("#board tbody tr");
  cells.forEach((tr, i) => {
    const item = rows[i];
    if (!item) return;
    const state = stateOf(item);
    tr.querySelector(".left").textContent = App.duration(secondsLeft(item));
    if (tr.dataset.state !== state) render();
  });
}

// A breached deadline stays breached after its case is settled or closed; the board keeps
// only those of cases still open, the ones someone must act on.
async function openOverdueCases(params) {
  const ids = new Set();
  for (let offset = 0; ; offset += 200) {
    const query = new URLSearchParams(params);
    query.delete("kind");
    query.set("overdue", "true");
    query.set("limit", "200");
    query.set("offset", String(offset));
    const page = await App.api("/api/v1/cases?" + query.toString());
    page.items.forEach((item) => ids.add(item.case_id));
    if (offset + 200 >= page.total || offset >= 1000) return ids;
  }
}

async function load() {
  try {
    const params = filters();
    const [page, open] = await Promise.all([
      App.api("/api/v1/sla?" + params.toString()),
      openOverdueCases(params),
    ]);
    rows = page.items.filter((item) => item.sla_state !== "breached" || open.has(item.case_id));
    loadedAt = Date.now();
    const counts = {};
    rows.forEach((item) => (counts[item.sla_state] = (counts[item.sla_state] || 0) + 1));
    // Clocks of cases whose workflow ended abnormally are not listed (nobody can act on
    // them), but counted apart so that a terminated case never goes unnoticed.
    counts.abandoned = page.summary.by_state.abandoned || 0;
    document.getElementById("summary").replaceChildren(
      ...["breached", "overdue", "due_soon", "abandoned"].map((state) =>
        App.el("span", { class: "badge " + state }, App.t("state_" + state) + " " + (counts[state] || 0))
      )
    );
    document.getElementById("refreshed").textContent = App.nowCst();
    App.hideError();
    render();
    const board = document.getElementById("board");
    board.dataset.loaded = String(Number(board.dataset.loaded || 0) + 1);
  } catch (error) {
    App.showError(error);
  }
}

document.addEventListener("app:ready", () => {
  const params = new URLSearchParams(window.location.search);
  for (const id of ["county", "kind"]) {
    const select = document.getElementById(id);
    select.value = params.get(id) || "";
    select.addEventListener("change", () => {
      const next = new URLSearchParams(window.location.search);
      if (select.value) next.set(id, select.value);
      else next.delete(id);
      window.history.replaceState(null, "", "?" + next.toString());
      load();
    });
  }
  const every = Number(document.getElementById("board").dataset.refresh) * 1000;
  load();
  window.setInterval(load, every);
  window.setInterval(tick, 1000);
});
