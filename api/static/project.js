// A project's payroll watch (PW-1..PW-6): its facts, its months as a grid (funded, sheet
// confirmed, paid, per worker number), its roster as the API shows it to the caller.
"use strict";

function mark(ok) {
  return App.el("span", { class: "badge " + (ok ? "ok" : "late") }, ok ? "✓" : "✗");
}

function caseLink(caseId) {
  return App.el("a", { href: "/board/cases/" + caseId + "?lang=" + App.lang }, caseId);
}

function facts(project) {
  const dl = document.getElementById("project-facts");
  const rows = [
    [App.t("col_project"), project.name],
    [App.t("col_county"), App.county(project.county_code)],
    [App.t("project_builder"), project.builder.name],
    [App.t("project_general_contractor"), project.general_contractor.name],
    [App.t("project_deposit"), App.money(project.guarantee_deposit)],
    [App.t("project_pay_day"), App.t("project_pay_day_value").replace("{n}", project.pay_day).replace("{g}", project.grace_days)],
    [App.t("col_linked_case"), project.open_case_id ? caseLink(project.open_case_id) : "—"],
  ];
  if (project.risk_month) {
    rows.push([App.t("col_risk"), App.t("risk_" + project.risk, project.risk) + " · " + project.risk_month + (project.risk_amount ? " · " + App.money(project.risk_amount) : "")]);
  }
  dl.replaceChildren(...rows.flatMap(([k, v]) => [App.el("dt", {}, k), App.el("dd", {}, v)]));
}

function months(project) {
  document.querySelector("#months tbody").replaceChildren(
    ...project.months.map((m) =>
      App.el(
        "tr",
        { class: m.funding_late || m.breached_workers ? "late" : "", "data-month": m.month },
        App.el("td", {}, m.month),
        App.el("td", {}, mark(!m.funding_late), " ", App.money(m.funded)),
        App.el("td", {}, mark(m.sheet_confirmed)),
        App.el("td", {}, mark(m.paid_in_full)),
        App.el("td", {}, App.money(m.owed)),
        App.el("td", {}, ...m.case_ids.map(caseLink))
      )
    )
  );
  // One row per worker, one column per month: sheet confirmed, paid in full.
  const head = document.querySelector("#grid thead tr");
  head.replaceChildren(App.el("th", {}, App.t("col_worker_no")), ...project.months.map((m) => App.el("th", {}, m.month)));
  const numbers = project.roster.map((w) => w.worker_no);
  document.querySelector("#grid tbody").replaceChildren(
    ...numbers.map((no) =>
      App.el(
        "tr",
        { "data-worker-no": String(no) },
        App.el("td", {}, String(no)),
        ...project.months.map((m) => {
          const cell = m.workers.find((c) => c.worker_no === no);
          if (!cell) return App.el("td", { class: "muted" }, "—");
          const paid = cell.sheet_amount !== null && Number(cell.paid) >= Number(cell.sheet_amount);
          return App.el(
            "td",
            { class: cell.breached && !paid ? "late" : "" },
            App.t("cell_sheet"), mark(cell.confirmed), " ", App.t("cell_paid"), mark(paid),
            cell.case_id ? App.el("div", {}, caseLink(cell.case_id)) : null
          );
        })
      )
    )
  );
}

function roster(project) {
  document.querySelector("#roster tbody").replaceChildren(
    ...project.roster.map((w) =>
      App.el(
        "tr",
        {},
        App.el("td", {}, String(w.worker_no)),
        App.el("td", {}, w.name),
        App.el("td", {}, w.id_number),
        App.el("td", {}, w.bank_card),
        App.el("td", {}, w.start_on),
        App.el("td", {}, w.end_on || "—")
      )
    )
  );
}

document.addEventListener("app:ready", async () => {
  const caseId = document.getElementById("project").dataset.caseId;
  try {
    const project = await App.api("/api/v1/projects/" + caseId);
    document.getElementById("project-status").textContent = App.t("status_" + project.status, project.status);
    const risk = document.getElementById("project-risk");
    risk.textContent = App.t("risk_" + project.risk, project.risk);
    risk.className = "badge " + (project.risk === "ok" ? "ok" : "late");
    facts(project);
    months(project);
    roster(project);
    App.hideError();
    document.body.dataset.loaded = "true";
  } catch (error) {
    App.showError(error);
  }
});
