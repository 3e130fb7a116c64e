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
  const table = App.el(
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
  return App.el("div", { class: "scroll" }, table);
}

function renderPayments(payments) {
  const card = document.getElementById("payments-card");
  card.hidden = !payments;
  if (!payments) return;
  document.querySelector("#payments tbody").replaceChildren(
    ...payments.map((p) =>
      App.el(
        "tr",
        { "data-payment-id": p.payment_id },
        App.el("td", {}, p.payment_id),
        App.el("td", {}, p.worker_no),
        App.el("td", {}, App.money(p.amount)),
        App.el("td", {}, App.t("enum_" + p.paid_by, p.paid_by)),
        App.el("td", {}, p.paid_on),
        App.el("td", {}, App.el("span", { class: "badge payment-" + p.status }, App.t("payment_" + p.status, p.status)))
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
  if (c.stage) fact(facts, App.t("stage"), App.status(c.stage));
  if (c.transfer_kind) fact(facts, App.t("transfer_kind"), App.t("transfer_" + c.transfer_kind, c.transfer_kind));
  if (c.claims_total !== undefined) fact(facts, App.t("claims_total"), App.money(c.claims_total));
  if (c.totals) {
    fact(facts, App.t("owed"), App.money(c.totals.owed));
    fact(facts, App.t("paid"), App.money(c.totals.paid));
    fact(facts, App.t("outstanding"), App.money(c.totals.outstanding));
  }
  if (c.linked_cases && c.linked_cases.length) {
    const links = c.linked_cases.map((l) =>
      App.el("a", { href: "/board/cases/" + l.case_id + "?lang=" + App.lang }, l.case_id + " (" + App.t("relation_" + l.relation, l.relation) + ")")
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
    ...c.deadlines.map((d, index) => {
      const left = (new Date(d.due_at).getTime() - now) / 1000;
      const late = d.sla_state === "overdue" || d.sla_state === "breached";
      return App.el(
        "tr",
        { class: "row " + d.sla_state + (late ? " late" : "") },
        App.el("td", {}, App.t("dl_" + d.name, d.name)),
        App.el("td", {}, App.rule(d.rule)),
        App.el("td", {}, App.cst(d.due_at)),
        App.el("td", {}, d.state === "pending" ? App.duration(left) : "—"),
        App.el("td", {}, App.el("span", { class: "badge " + d.sla_state }, App.t("state_" + d.sla_state, d.sla_state))),
        App.el("td", { class: "deadline-actions", "data-deadline": d.name, "data-index": String(index) })
      );
    })
  );
}

function actorText(e) {
  if (!e.actor) return App.t("system");
  const a = e.actor;
  return [a.id, a.role ? App.role(a.role) : null, a.county_code ? App.county(a.county_code) : null].filter(Boolean).join(" · ");
}

// The API's outcome words ("done: status open", "refused: …") in the page's language.
function outcomeText(outcome) {
  const known = App.t("outcome_" + outcome, null);
  if (known !== null) return known;
  if (outcome.startsWith("done")) return App.t("outcome_done");
  if (outcome.startsWith("refused: ")) return App.t("outcome_refused") + App.sep() + outcome.slice(9);
  return outcome;
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
      const fired = e.details.fired.map((f) => App.t("dl_" + f.deadline, f.deadline) + " (" + App.rule(f.rule) + ") " + App.t("state_" + f.outcome, f.outcome));
      lines.push(App.el("div", { class: "fired" }, App.t("fired") + App.sep() + fired.join(App.lang === "zh" ? "；" : "; ")));
    }
    if (e.details && e.details.kinds) {
      lines.push(App.el("div", { class: "muted" }, App.t("notifications") + App.sep() + e.details.kinds.map((k) => App.t("notice_" + k, k)).join(App.lang === "zh" ? "、" : ", ")));
    }
    if (e.details && e.details.case_id) lines.push(App.el("div", {}, App.t("linked_cases") + App.sep() + e.details.case_id));
    if (e.outcome) lines.push(App.el("div", { class: "muted" }, outcomeText(e.outcome)));
    return App.el("li", { class: "event " + e.kind, "data-what": e.what }, ...lines);
  });
  document.getElementById("timeline").replaceChildren(...items);
}

// The case and its timeline, read again after an action (no page reload).
async function load(base) {
  const [detail, history] = await Promise.all([App.api(base), App.api(base + "/history")]);
  renderCase(detail);
  renderPayments(detail.payments);
  renderHistory(history);
  await ActionForms.render(detail, async (action) => {
    // Said once the case is read again and drawn: what the user opens after seeing it (a
    // deadline's form) is not wiped by the redraw.
    try {
      await load(base);
    } catch (error) {
      App.showError(error);
    }
    const done = document.getElementById("action-done");
    done.textContent = App.t("action_done") + App.sep() + App.action(action);
    done.hidden = false;
  });
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
    await load(base);
    document.body.dataset.loaded = "true";
  } catch (error) {
    App.showError(error);
  }
});
