// The supervisors' dashboard: clearance figures from GET /api/v1/stats, with inline charts.
"use strict";

function pct(share) {
  return share === null || share === undefined ? "—" : (share * 100).toFixed(1) + "%";
}

function num(value) {
  return value === null || value === undefined ? "—" : String(value);
}

function tile(label, value, extra) {
  return App.el("div", { class: "tile " + (extra || "") }, App.el("div", { class: "value" }, value), App.el("div", { class: "label" }, label));
}

function render(stats) {
  const t = stats.totals;
  document.getElementById("tiles").replaceChildren(
    tile(App.t("open_arrears"), num(t.open_arrears_cases)),
    tile(App.t("amount_owed"), App.money(t.amount_owed)),
    tile(App.t("amount_recovered"), App.money(t.amount_recovered), "good"),
    tile(App.t("within_deadline"), pct(t.settled_within_deadline_share)),
    tile(App.t("mean_days"), num(t.mean_days_to_settle)),
    tile(App.t("median_days"), num(t.median_days_to_settle)),
    tile(App.t("overdue_cases"), num(t.overdue_cases), t.overdue_cases ? "bad" : "")
  );

  document.getElementById("campaign").replaceChildren(
    ...stats.campaign.map((c) => {
      const share = c.cases ? c.cleared / c.cases : 1;
      return App.el(
        "div",
        { class: "campaign", "data-name": c.name },
        App.el("div", { class: "campaign-head" },
          App.el("strong", {}, App.t(c.name) + " (" + c.campaign_year + ")"),
          // The 3-month clearance is each case's own: its date is the soonest one running.
          " ", App.t(c.name === "campaign_3_months" ? "next_clear_by" : "clear_by") + " " + c.clear_by + " · " + App.t("days_left") + " " + c.days_left),
        App.el("div", { class: "progress" }, App.el("div", { class: "done", style: { width: (share * 100).toFixed(1) + "%" } })),
        App.el("div", { class: "muted" },
          App.t("cases_in_scope") + " " + c.cases + " · " + App.t("cleared") + " " + c.cleared + " · " + App.t("left_open") + " " + c.left_open +
            (c.overdue ? " · " + App.t("campaign_overdue") + " " + c.overdue : ""))
      );
    })
  );

  Charts.columns(
    document.getElementById("chart-weekly"),
    stats.weekly.map((w) => w.week_start.slice(5)),
    [
      { label: App.t("opened"), values: stats.weekly.map((w) => w.opened) },
      { label: App.t("closed"), values: stats.weekly.map((w) => w.closed) },
    ]
  );
  Charts.bars(
    document.getElementById("chart-overdue"),
    stats.counties.map((c) => ({ label: App.county(c.county_code), value: c.overdue_cases, text: String(c.overdue_cases) })),
    "#c0392b"
  );
  Charts.bars(
    document.getElementById("chart-recovered"),
    stats.counties.map((c) => ({ label: App.county(c.county_code), value: Number(c.amount_recovered), text: App.money(c.amount_recovered) })),
    "#3b9a5a"
  );

  const rows = [...stats.counties, { ...t, county_code: "all" }].map((c) =>
    App.el(
      "tr",
      { class: c.county_code === "all" ? "total" : "" },
      App.el("td", {}, c.county_code === "all" ? App.t("county_all") : App.county(c.county_code)),
      App.el("td", {}, num(c.open_arrears_cases)),
      App.el("td", {}, App.money(c.amount_owed)),
      App.el("td", {}, App.money(c.amount_recovered)),
      App.el("td", {}, pct(c.settled_within_deadline_share)),
      App.el("td", {}, num(c.mean_days_to_settle)),
      App.el("td", {}, num(c.median_days_to_settle)),
      App.el("td", { class: c.overdue_cases ? "late-text" : "" }, num(c.overdue_cases))
    )
  );
  document.querySelector("#counties tbody").replaceChildren(...rows);
}

async function load() {
  const params = new URLSearchParams();
  for (const id of ["county", "kind"]) {
    const value = document.getElementById(id).value;
    if (value) params.set(id === "county" ? "county_code" : id, value);
  }
  try {
    render(await App.api("/api/v1/stats?" + params.toString()));
    document.getElementById("refreshed").textContent = App.nowCst();
    document.body.dataset.loaded = "true";
    App.hideError();
  } catch (error) {
    App.showError(error);
  }
}

document.addEventListener("app:ready", () => {
  for (const id of ["county", "kind"]) document.getElementById(id).addEventListener("change", load);
  load();
  window.setInterval(load, 60000);
});
