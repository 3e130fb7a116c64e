// The board's projects at risk (PW-2, PW-4): funding late, payroll breached, high risk after
// two in a row, per county, with the month and the amount. Hidden for a role that does not
// watch projects.
"use strict";

async function loadProjectsAtRisk() {
  const section = document.getElementById("projects-at-risk");
  const params = new URLSearchParams({ at_risk: "true", limit: "200" });
  const county = document.getElementById("county").value;
  if (county) params.set("county_code", county);
  let page;
  try {
    page = await App.api("/api/v1/projects?" + params.toString());
  } catch (error) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
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

document.addEventListener("app:ready", () => {
  loadProjectsAtRisk();
  document.getElementById("county").addEventListener("change", loadProjectsAtRisk);
  const every = Number(document.getElementById("board").dataset.refresh) * 1000;
  window.setInterval(loadProjectsAtRisk, every);
});
