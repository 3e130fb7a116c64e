// A case page: facts, parties (masked by the API), deadlines, and the audit trail as a timeline.
"use strict";

function fact(list, label, value) {
  if (value === null || value === undefined || value === "") return;
  list.append(App.el("dt", {}, label), App.el("dd", {}, value));
}

function partyTable(people) {
  const columns = ["name", "id_number", "mobile", "owed", "paid", "outstanding"].filter((key) =>
    people.some((p) => p[key] !== undefined && p[key] !== null)
  );
  const heads = { name: "worker_name", id_number: "id_number", mobile: "mobile", owed: "owed", paid: "paid", outstanding: "outstanding" };
  return App.el(
    "table",
    { class: "grid" },
    App.el("thead", {}, App.el("tr", {}, ...columns.map((c) => App.el("th", {}, App.t(heads[c]))))),
    App.el(
      "tbody",
      {},
      ...people.map((p) =>
        App.el("tr", {}, ...columns.map((c) => App.el("td", {}, ["owed", "paid", "outstanding"].includes(c) ? App.money(p[c]) : p[c])))
      )
    )
  );
}

function organisation(label, org) {
  if (!org) return null;
  const parts = [org.name, org.credit_code, org.county_code ? App.county(org.county_code) : null].filter(Boolean);
  return App.el("p", {}, App.el("strong", {}, label + App.sep()), parts.join(" · "));
}

function renderCase(c) {
  const status = document.getElementById("case-status");
  status.textContent = App.status(c.status);
  status.classList.toggle("ended", Boolean(c.ended_abnormally));
  const facts = document.getElementById("case-facts");
  facts.replaceChildren();
  fact(facts, App.t("col_kind"), App.t("kind_" + c.kind, c.kind));
  fact(facts, App.t("col_county"), App.county(c.county_code));
  if (c.severity) fact(facts, App.t("case_severity"), App.t("severity_" + c.severity, c.severity));
  if (c.stage) fact(facts, App.t("stage"), c.stage);
  if (c.transfer_kind) fact(facts, App.t("transfer_kind"), c.transfer_kind);
  if (c.claims_total !== undefined) fact(facts, App.t("claims_total"), App.money(c.claims_total));
  if (c.totals) {
    fact(facts, App.t("owed"), App.money(c.totals.owed));
    fact(facts, App.t("paid"), App.money(c.totals.paid));
    fact(facts, App.t("outstanding"), App.money(c.totals.outstanding));
  }
  if (c.linked_cases && c.linked_cases.length) {
    const links = c.linked_cases.map((l) =>
      App.el("a", { href: "/board/cases/" + l.case_id + "?lang=" + App.lang }, l.case_id + " (" + l.relation + ")")
    );
    facts.append(App.el("dt", {}, App.t("linked_cases")), App.el("dd", {}, ...links));
  }

  const parties = document.getElementById("parties");
  const workers = c.workers || (c.worker ? [c.worker] : []);
  parties.replaceChildren(
    ...[
      organisation(App.t("employer"), c.employer),
      organisation(App.t("from_agency"), c.from_agency),
      organisation(App.t("to_agency"), c.to_agency),
      workers.length ? App.el("h3", {}, App.t("workers")) : null,
      workers.length ? partyTable(workers) : null,
    ].filter(Boolean)
  );

  const now = Date.now();
  document.querySelector("#deadlines tbody").replaceChildren(
    ...c.deadlines.map((d) => {
      const left = (new Date(d.due_at).getTime() - now) / 1000;
      const late = d.sla_state === "overdue" || d.sla_state === "breached";
      return App.el(
        "tr",
        { class: "row " + d.sla_state + (late ? " late" : "") },
        App.el("td", {}, App.t("dl_" + d.name, d.name)),
        App.el("td", {}, d.rule),
        App.el("td", {}, App.cst(d.due_at)),
        App.el("td", {}, d.state === "pending" ? App.duration(left) : "—"),
        App.el("td", {}, App.el("span", { class: "badge " + d.sla_state }, App.t("state_" + d.sla_state, d.sla_state)))
      );
    })
  );
}

function actorText(e) {
  if (!e.actor) return App.t("system");
  const a = e.actor;
  return [a.id, a.role, a.county_code ? App.county(a.county_code) : null].filter(Boolean).join(" · ");
}

function renderHistory(history) {
  const items = history.events.map((e) => {
    const lines = [
      App.el("div", { class: "when" }, App.cst(e.time)),
      App.el(
        "div",
        { class: "what" },
        App.el("strong", {}, App.t("what_" + e.what, e.what)),
        " ",
        App.el("span", { class: "muted" }, actorText(e))
      ),
    ];
    if (e.reason) lines.push(App.el("div", {}, App.t("reason") + App.sep() + e.reason));
    if (e.status_before !== e.status_after && e.status_after) {
      lines.push(App.el("div", { class: "status" }, App.t("status_change") + App.sep() + App.status(e.status_before) + " → " + App.status(e.status_after)));
    }
    if (e.details && e.details.fired) {
      const fired = e.details.fired.map((f) => App.t("dl_" + f.deadline, f.deadline) + " (" + f.rule + ") " + App.t("state_" + f.outcome, f.outcome));
      lines.push(App.el("div", { class: "fired" }, App.t("fired") + App.sep() + fired.join(App.lang === "zh" ? "；" : "; ")));
    }
    if (e.details && e.details.kinds) {
      lines.push(App.el("div", { class: "muted" }, App.t("notifications") + App.sep() + e.details.kinds.join(", ")));
    }
    if (e.details && e.details.case_id) lines.push(App.el("div", {}, App.t("linked_cases") + App.sep() + e.details.case_id));
    if (e.outcome) lines.push(App.el("div", { class: "muted" }, e.outcome));
    return App.el("li", { class: "event " + e.kind, "data-what": e.what }, ...lines);
  });
  document.getElementById("timeline").replaceChildren(...items);
}

document.addEventListener("app:ready", async () => {
  const caseId = document.getElementById("case").dataset.caseId;
  const base = "/api/v1/cases/" + caseId;
  for (const format of ["json", "csv"]) {
    document.getElementById("export-" + format).addEventListener("click", (event) => {
      event.preventDefault();
      App.download(base + "/history?format=" + format, caseId + "-history." + format);
    });
  }
  try {
    const [detail, history] = await Promise.all([App.api(base), App.api(base + "/history")]);
    renderCase(detail);
    renderHistory(history);
    document.body.dataset.loaded = "true";
  } catch (error) {
    App.showError(error);
  }
});
