// Projects at risk (PW-2, PW-4): funding late, payroll breached, high risk after two in a row,
// per county. The board lists them with the month and the amount; the dashboard counts them
// per county beside the projects still watched. Hidden for a role that does not watch
// projects.
"use strict";

const RISKS = ["funding_late", "payroll_breached", "high_risk"];

// The projects at risk of the county chosen (all the caller's if none), with the per-county
// counts; null for a role the list is not for.
async function fetchProjectsAtRisk(limit) {
  const params = new URLSearchParams({ at_risk: "true", limit: String(limit) });
  const county = document.getElementById("county").value;
  if (county) params.set("county_code", county);
  try {
    return await App.api("/api/v1/projects?" + params.toString());
  } catch (error) {
    return null;
  }
}

async function loadProjectsAtRisk() {
  const section = document.getElementById("projects-at-risk");
  const page = await fetchProjectsAtRisk(200);
  section.hidden = page === null;
  if (page === null) return;
  document.querySelector("#projects tbody").replaceChildren(
    ...page.items.map((p) =>
      App.el(
        "tr",
        { class: "late", "data-case-id": p.case_id, "data-risk": p.risk },
        App.el("td", {}, App.el("a", { href: "/board/projects/" + p.case_id + "?lang=" + App.lang }, p.case_id), " ", p.name),
        App.el("td", {}, App.county(p.county_code)),
        App.el("td", {}, App.el("span", { class: "badge late" }, App.t("risk_" + p.risk, p.risk))),
        App.el("td", {}, p.risk_month || "—"),
        App.el("td", {}, p.risk_amount ? App.money(p.risk_amount) : "—"),
        App.el("td", {}, p.open_case_id ? App.el("a", { href: "/board/cases/" + p.open_case_id + "?lang=" + App.lang }, p.open_case_id) : "—")
      )
    )
  );
  // On a phone each row is a card: its cells carry their column's name.
  const labels = [...document.querySelectorAll("#projects thead th")].map((th) => th.textContent);
  document.querySelectorAll("#projects tbody tr").forEach((tr) =>
    [...tr.children].forEach((td, i) => td.setAttribute("data-label", labels[i] || ""))
  );
  document.getElementById("projects-empty").hidden = page.items.length > 0;
  // Per county: how many projects at each risk.
  document.getElementById("projects-by-county").replaceChildren(
    ...Object.entries(page.at_risk_by_county).map(([code, risks]) =>
      App.el(
        "li",
        { "data-county": code },
        App.county(code) + "：" + Object.entries(risks).map(([risk, n]) => App.t("risk_" + risk, risk) + " " + n).join("、")
      )
    )
  );
}

// The dashboard's table: per county, the projects watched and those at each risk, and a total.
async function loadProjectCounts() {
  const card = document.getElementById("project-counts-card");
  const page = await fetchProjectsAtRisk(1);
  card.hidden = page === null;
  if (page === null) return;
  const chosen = document.getElementById("county").value;
  const counties = [...new Set([...Object.keys(page.active_by_county), ...Object.keys(page.at_risk_by_county)])]
    .filter((code) => !chosen || code === chosen)
    .sort();
  const counts = counties.map((code) => ({
    code,
    active: page.active_by_county[code] || 0,
    risks: RISKS.map((risk) => (page.at_risk_by_county[code] || {})[risk] || 0),
  }));
  const total = {
    code: "all",
    active: counts.reduce((sum, c) => sum + c.active, 0),
    risks: RISKS.map((_, i) => counts.reduce((sum, c) => sum + c.risks[i], 0)),
  };
  document.querySelector("#project-counts tbody").replaceChildren(
    ...[...counts, total].map((c) =>
      App.el(
        "tr",
        { class: c.code === "all" ? "total" : "", "data-county": c.code },
        App.el("td", {}, c.code === "all" ? App.t("county_all") : App.county(c.code)),
        App.el("td", {}, String(c.active)),
        ...c.risks.map((n, i) => App.el("td", { class: n ? "late-text" : "", "data-risk": RISKS[i] }, String(n)))
      )
    )
  );
}

document.addEventListener("app:ready", () => {
  const onBoard = document.getElementById("projects-at-risk") !== null;
  const load = onBoard ? loadProjectsAtRisk : loadProjectCounts;
  load();
  document.getElementById("county").addEventListener("change", load);
  const every = onBoard ? Number(document.getElementById("board").dataset.refresh) * 1000 : 60000;
  window.setInterval(load, every);
});
