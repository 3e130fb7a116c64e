// Opens a dispute or a social-insurance transfer from My work: the form is built from the
// kind's intake schema (GET /api/v1/actions/{kind}/intake, the domain's own model without
// the opener), nested parts as fieldsets and lists as rows to add and remove, and sent to the
// kind's create route with an Idempotency-Key. Field names are the body's paths
// (workers.0.id_number), as the API's 422 locations name them, so each error lands beside
// its field. The wage-arrears form keeps its own layout (new_case.js); both put errors the
// same way (ActionForms.fieldError) and so give the API's answers, not the page's own.
"use strict";

const OpenForms = {
  // Counties a field may offer as a list: the user's own, where the case is opened.
  OWN_COUNTY: new Set(["county_code", "to_agency.county_code"]),

  resolve(node, defs) {
    if (node && node.$ref) return { ...defs[node.$ref.split("/").pop()], ...node, $ref: undefined };
    return node;
  },

  // The label of a path: its own (field_to_agency.county_code), else its last name's.
  label(path, node) {
    const bare = path.replace(/\.\d+/g, "");
    const last = bare.split(".").pop();
    return App.t("field_" + bare, App.t("field_" + last, node.title || last));
  },

  leaf(path, node, required, defs) {
    if (OpenForms.OWN_COUNTY.has(path.replace(/\.\d+/g, ""))) {
      const select = App.el(
        "select",
        { id: "o-" + path, name: path, "data-kind": "text", "data-own-counties": "" },
        ...(App.counties || []).map((code) => App.el("option", { value: code }, App.county(code)))
      );
      return App.el(
        "div",
        { class: "field", "data-field": path },
        App.el("label", { for: "o-" + path }, OpenForms.label(path, node) + " *"),
        select,
        App.el("span", { class: "field-error", hidden: "" })
      );
    }
    const f = ActionForms.field(node, defs);
    const box = ActionForms.input(path, { ...f, title: OpenForms.label(path, node) }, required);
    // ActionForms labels by field name; a path is labelled by its own words.
    box.querySelector("label").textContent = OpenForms.label(path, node) + (required ? " *" : "");
    return box;
  },

  // One part of the body: a fieldset for an object, rows for a list, else an input.
  part(path, raw, required, defs) {
    const node = OpenForms.resolve(raw, defs);
    if (node.type === "object" && node.properties) {
      const want = new Set(node.required || []);
      return App.el(
        "fieldset",
        { class: "worker-row", "data-path": path },
        App.el("legend", {}, OpenForms.label(path, node)),
        ...Object.entries(node.properties).map(([name, child]) =>
          OpenForms.part(path + "." + name, child, want.has(name), defs)
        )
      );
    }
    if (node.type === "array" && node.items) {
      return OpenForms.list(path, node, required, defs);
    }
    return OpenForms.leaf(path, node, required, defs);
  },

  list(path, node, required, defs) {
    const item = OpenForms.resolve(node.items, defs);
    const rows = App.el("div", { class: "rows" });
    const holder = App.el(
      "div",
      { class: "field list", "data-field": path, "data-list": path },
      App.el("h4", {}, OpenForms.label(path, node) + (required ? " *" : "")),
      rows,
      App.el("span", { class: "field-error", hidden: "" })
    );
    const add = App.el("button", { type: "button", class: "secondary small" }, App.t("new_add_row"));
    const renumber = () => {
      Array.from(rows.children).forEach((row, i) => {
        row.dataset.index = String(i);
        for (const el of row.querySelectorAll("[name], [data-field], [data-path], [id], label[for]")) {
          for (const attr of ["name", "data-field", "data-path", "id", "for"]) {
            const v = el.getAttribute(attr);
            if (v && v.includes(path + ".")) {
              el.setAttribute(attr, v.replace(new RegExp(OpenForms.escape(path) + "\\.\\d+"), path + "." + i));
            }
          }
        }
      });
    };
    const addRow = () => {
      const i = rows.children.length;
      const inner = OpenForms.part(path + "." + i, item, true, defs);
      const remove = App.el("button", { type: "button", class: "secondary small" }, App.t("new_remove_row"));
      const row = App.el("div", { class: "row-item" }, inner, remove);
      remove.addEventListener("click", () => {
        if (rows.children.length > (node.minItems || 0)) {
          row.remove();
          renumber();
        }
      });
      rows.append(row);
      return row;
    };
    add.addEventListener("click", () => addRow().querySelector("input, select")?.focus());
    holder.append(add);
    for (let i = 0; i < (node.minItems || 0); i++) addRow();
    return holder;
  },

  escape(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  },

  // The body read back from the inputs, by the schema; empty optional leaves are left out.
  value(form, path, raw, defs, missing, required = true) {
    const node = OpenForms.resolve(raw, defs);
    if (node.type === "object" && node.properties) {
      const out = {};
      const want = new Set(node.required || []);
      for (const [name, child] of Object.entries(node.properties)) {
        const v = OpenForms.value(form, path + "." + name, child, defs, missing, want.has(name));
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    if (node.type === "array" && node.items) {
      const holder = form.querySelector('[data-list="' + path + '"] .rows');
      return Array.from(holder.children).map((_, i) =>
        OpenForms.value(form, path + "." + i, node.items, defs, missing)
      );
    }
    const input = form.elements[path];
    const text = input ? input.value.trim() : "";
    if (text === "") {
      if (required && !("default" in node)) missing.push(path);
      return undefined;
    }
    const f = ActionForms.field(node, defs);
    if (f.kind === "enum" || f.kind === "boolean") return JSON.parse(text);
    if (f.kind === "integer") return Number(text);
    if (f.kind === "datetime") return (text.length === 16 ? text + ":00" : text) + "+08:00";
    return text;
  },

  build(intake) {
    const schema = intake.input_schema;
    const defs = schema.$defs || {};
    const want = new Set(schema.required || []);
    const submit = App.el("button", { type: "submit" }, App.t("new_submit"));
    const cancel = App.el("button", { type: "button", class: "secondary" }, App.t("cancel"));
    const message = App.el("p", { class: "form-error", role: "alert", hidden: "" });
    const form = App.el(
      "form",
      { class: "action-form new-case", id: "open-" + intake.kind, "data-kind": intake.kind, novalidate: "" },
      App.el("h3", {}, App.t("new_title_" + intake.kind), " ", App.el("span", { class: "muted" }, App.rule(intake.rule))),
      ...Object.entries(schema.properties).map(([name, node]) => OpenForms.part(name, node, want.has(name), defs)),
      App.el("div", { class: "form-buttons" }, submit, cancel),
      message
    );
    cancel.addEventListener("click", () => form.dispatchEvent(new Event("open:cancel")));
    form.addEventListener(
      "submit",
      ActionForms.submitter(form, submit, message, {
        path: intake.path,
        rule: intake.rule,
        read: () => {
          const missing = [];
          const body = {};
          for (const [name, node] of Object.entries(schema.properties)) {
            const v = OpenForms.value(form, name, node, defs, missing, want.has(name));
            if (v !== undefined) body[name] = v;
          }
          return { body, missing };
        },
        done: (answer) => window.location.assign("/board/cases/" + answer.body.case_id + "?lang=" + App.lang),
      })
    );
    return form;
  },
};

document.addEventListener("app:ready", async () => {
  const bar = document.getElementById("open-buttons");
  const holder = document.getElementById("open-form");
  if (!bar || !holder) return;
  const me = await App.whoami();
  if (!me) return;
  App.counties = me.counties;
  for (const button of bar.querySelectorAll("[data-open]")) {
    const kind = button.dataset.open;
    // Only the kinds the caller may open (the API refuses the others with a 403 anyway).
    button.hidden = !(me.opens || []).includes(kind);
    if (kind === "wage_arrears") continue; // new_case.js
    button.addEventListener("click", async () => {
      const intake = await App.api("/api/v1/actions/" + kind + "/intake");
      const form = OpenForms.build(intake);
      form.addEventListener("open:cancel", () => holder.replaceChildren());
      holder.replaceChildren(form);
      form.querySelector("input, select, textarea")?.focus();
    });
  }
});
