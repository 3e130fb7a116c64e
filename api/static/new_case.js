// Opens a wage-arrears case from My work: POST /api/v1/cases/wage-arrears with an
// Idempotency-Key, then the new case's page. The API validates (the ID-number, credit-code
// and mobile checks are the domain's); a 422 puts each field's error beside its field. Worker
// names, ID numbers and mobiles travel in the body only, never in a URL.
"use strict";

const NewCase = {
  addWorker(holder) {
    const row = document.getElementById("nc-worker").content.firstElementChild.cloneNode(true);
    holder.append(row);
    row.querySelector("[data-remove]").addEventListener("click", () => {
      if (holder.children.length > 1) row.remove();
      NewCase.number(holder);
    });
    NewCase.number(holder);
    return row;
  },

  // Each row's fields are named by their place in the body (workers.0.name), as the API's
  // error locations name them.
  number(holder) {
    Array.from(holder.children).forEach((row, i) => {
      row.querySelector(".worker-no").textContent = String(i + 1);
      for (const field of row.querySelectorAll("[data-part]")) {
        const name = "workers." + i + "." + field.dataset.part;
        if (field.tagName === "DIV") field.dataset.field = name;
        else {
          field.name = name;
          field.id = "nc-" + name.replaceAll(".", "-");
          field.previousElementSibling.htmlFor = field.id;
        }
      }
    });
  },

  body(form, holder) {
    const value = (name) => form.elements[name].value.trim();
    const body = {
      source: value("source"),
      county_code: value("county_code"),
      employer: { name: value("employer.name"), credit_code: value("employer.credit_code") },
      sector: value("sector"),
      summary: value("summary"),
      workers: Array.from(holder.children).map((row, i) => {
        const part = (p) => value("workers." + i + "." + p);
        const worker = {
          name: part("name"),
          id_number: part("id_number"),
          mobile: part("mobile"),
          amount_owed: part("amount_owed"),
        };
        if (part("months_owed")) worker.months_owed = Number(part("months_owed"));
        return worker;
      }),
    };
    if (value("clue_number")) body.clue_number = value("clue_number");
    const missing = [];
    for (const input of form.querySelectorAll("input, select, textarea")) {
      const label = input.labels && input.labels[0];
      if (label && label.textContent.endsWith("*") && !input.value.trim()) missing.push(input.name);
    }
    return { body, missing };
  },
};

document.addEventListener("app:ready", () => {
  const form = document.getElementById("new-case");
  const holder = document.getElementById("nc-workers");
  const message = form.querySelector(".form-error");
  const open = document.getElementById("new-case-open");
  NewCase.addWorker(holder);
  open.addEventListener("click", () => {
    form.hidden = false;
    open.hidden = true;
    form.elements["employer.name"].focus();
  });
  document.getElementById("new-case-cancel").addEventListener("click", () => {
    form.hidden = true;
    open.hidden = false;
  });
  document.getElementById("nc-add-worker").addEventListener("click", () => {
    NewCase.addWorker(holder).querySelector("input").focus();
  });

  form.addEventListener(
    "submit",
    ActionForms.submitter(form, form.querySelector("button[type=submit]"), message, {
      path: "/api/v1/cases/wage-arrears",
      rule: "",
      read: () => NewCase.body(form, holder),
      done: (answer) => window.location.assign("/board/cases/" + answer.body.case_id + "?lang=" + App.lang),
    })
  );
});
