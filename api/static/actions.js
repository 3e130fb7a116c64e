// The actions the caller may take on a case, each a form built from the action's input
// schema (GET /api/v1/actions/{kind}: the domain's own command models), sent to
// POST /api/v1/cases/{id}/actions/{action}. The page holds no case rule: what is allowed is
// the API's `available_actions[].allowed`, what is valid the schema and then the workflow.
"use strict";

const ActionForms = {
  forms: {}, // kind -> {action: {rule, input_schema}}
  UPLOADED: new Set(["attach_file"]),

  async load(kind) {
    if (!ActionForms.forms[kind]) {
      const list = await App.api("/api/v1/actions/" + kind);
      ActionForms.forms[kind] = Object.fromEntries(list.map((f) => [f.action, f]));
    }
    return ActionForms.forms[kind];
  },

  // A fresh key per submission; crypto.randomUUID needs a secure context, getRandomValues not.
  uuid() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  },

  // What a property of the schema is, for its input: {type, nullable, enum, ...node}.
  field(node, defs) {
    let nullable = false;
    let n = node;
    if (n.$ref) n = { ...defs[n.$ref.split("/").pop()], ...n, $ref: undefined };
    if (n.anyOf) {
      const options = n.anyOf.filter((o) => o.type !== "null");
      nullable = options.length < n.anyOf.length;
      const types = options.map((o) => o.type);
      if (types.includes("number") && types.includes("string")) {
        return { ...n, kind: "decimal", nullable };
      }
      if (options.length === 1) {
        const inner = ActionForms.field(options[0], defs);
        return { ...inner, default: n.default, title: n.title, nullable: true };
      }
      return { ...n, kind: "json", nullable };
    }
    if (n.enum) return { ...n, kind: "enum", nullable };
    if (n.const !== undefined) return { ...n, kind: "enum", enum: [n.const], nullable };
    if (n.type === "boolean") return { ...n, kind: "boolean", nullable };
    if (n.type === "integer") return { ...n, kind: "integer", nullable };
    if (n.type === "number") return { ...n, kind: "decimal", nullable };
    if (n.type === "string" && n.format === "date") return { ...n, kind: "date", nullable };
    if (n.type === "string" && n.format === "date-time") return { ...n, kind: "datetime", nullable };
    if (n.type === "string") return { ...n, kind: "text", nullable };
    return { ...n, kind: "json", nullable };
  },

  label(name, f) {
    return App.t("field_" + name, f.title || name);
  },

  input(name, f, required) {
    const id = "f-" + name;
    const attrs = { id, name, "data-kind": f.kind };
    let control;
    if (name === "approver" && ActionForms.approvers) {
      // The county's supervisors (GET /api/v1/approvers), never a typed actor.
      control = App.el(
        "select",
        { ...attrs, "data-kind": "json" },
        App.el("option", { value: "" }, "—"),
        ...ActionForms.approvers.map((a) => App.el("option", { value: JSON.stringify(a) }, a.id + " · " + App.role(a.role)))
      );
    } else if (f.kind === "enum" || f.kind === "boolean") {
      const values = f.kind === "boolean" ? [true, false] : f.enum;
      const options = values.map((v) =>
        App.el("option", { value: JSON.stringify(v) }, f.kind === "boolean" ? App.t(v ? "yes" : "no") : App.t("enum_" + v, String(v)))
      );
      if (!required || f.default === undefined) options.unshift(App.el("option", { value: "" }, "—"));
      control = App.el("select", attrs, ...options);
      if (f.default !== undefined && f.default !== null) control.value = JSON.stringify(f.default);
    } else if (name === "reason" || f.kind === "json" || (f.maxLength || 0) > 200) {
      control = App.el("textarea", { ...attrs, rows: f.kind === "json" ? "4" : "2" });
      if (f.kind === "json") control.placeholder = "JSON";
    } else {
      const types = { integer: "number", decimal: "text", date: "date", datetime: "datetime-local", text: "text" };
      control = App.el("input", { ...attrs, type: types[f.kind] });
      if (f.kind === "integer") control.step = "1";
      if (f.kind === "decimal") control.inputMode = "decimal";
      if (f.minimum !== undefined) control.min = String(f.minimum);
      if (f.maximum !== undefined) control.max = String(f.maximum);
      if (f.default !== undefined && f.default !== null && f.kind !== "datetime") control.value = String(f.default);
    }
    return App.el(
      "div",
      { class: "field", "data-field": name },
      App.el("label", { for: id }, ActionForms.label(name, f) + (required ? " *" : "")),
      control,
      App.el("span", { class: "field-error", hidden: "" })
    );
  },

  // The body from the inputs: empty optional fields are left out (the model's default).
  body(form, fields) {
    const body = {};
    const missing = [];
    for (const [name, f] of Object.entries(fields)) {
      if (f.kind === "rows") {
        body[name] = OpenForms.value(form, name, f.node, f.defs || {}, missing, f.required);
        continue;
      }
      const raw = form.elements[name].value.trim();
      if (raw === "") {
        if (f.required) missing.push(name);
        continue;
      }
      if (f.kind === "enum" || f.kind === "boolean") body[name] = JSON.parse(raw);
      else if (f.kind === "integer") body[name] = Number(raw);
      // Date-times are typed in China Standard Time, like every time the pages show.
      else if (f.kind === "datetime") body[name] = (raw.length === 16 ? raw + ":00" : raw) + "+08:00";
      else if (f.kind === "json") {
        try {
          body[name] = JSON.parse(raw);
        } catch (error) {
          missing.push(name);
        }
      } else body[name] = raw;
    }
    return { body, missing };
  },

  // A field's error in the page's language (the API sends both).
  said(detail) {
    return (App.lang === "zh" && detail.msg_zh) || detail.msg;
  },

  fieldError(form, name, message) {
    const box = form.querySelector('[data-field="' + name + '"] .field-error');
    if (!box) return false;
    box.textContent = message;
    box.hidden = false;
    return true;
  },

  clearErrors(form) {
    for (const box of form.querySelectorAll(".field-error, .form-error")) box.hidden = true;
  },

  // A refusal in the page's language, with the rule the action cites and the API's own words.
  refusal(status, error, rule) {
    const code = error && error.code ? error.code : "";
    const head = App.t("refused_" + code, App.t("refused_" + status, App.t("refused")));
    const said = error && error.message ? error.message : "";
    // The rule the refusal names itself, else the action's own.
    const named = said.match(/\b(WA|MA|SI|CAL|PW)-\d+\b/g);
    const cited = named ? Array.from(new Set(named)).join(",") : rule;
    const cites = cited ? App.t("rule_cited") + " " + App.rule(cited) : "";
    // The Chinese pages say the refusal's own Chinese (message_zh) where it is more than the
    // code's sentence; the API's English sentence only on the English pages.
    if (App.lang === "zh") {
      const own = error && error.message_zh && error.message_zh !== head ? error.message_zh : "";
      return [head, cites, own].filter(Boolean).join("。");
    }
    return [head, cites, said].filter(Boolean).join(". ");
  },

  // The submit handler of a form POSTed to `path`: `read()` gives its {body, missing}, `done`
  // takes an accepted answer, `place(form, details)` shows a refusal's field errors by their
  // fields and returns those it could not place, said with the refusal. One key per
  // submission; the same body sent again after no answer is the same request.
  submitter(form, submit, message, { path, rule, read, done, place = ActionForms.placeErrors }) {
    let pending = null;
    return async (event) => {
      event.preventDefault();
      ActionForms.clearErrors(form);
      const { body, missing } = read();
      if (missing.length) {
        for (const name of missing) ActionForms.fieldError(form, name, App.t("field_required"));
        return;
      }
      const text = JSON.stringify(body);
      if (!pending || pending.text !== text) pending = { text, key: ActionForms.uuid() };
      submit.disabled = true;
      let answer;
      try {
        answer = await App.send("POST", path, body, { "Idempotency-Key": pending.key });
      } catch (error) {
        message.textContent = App.t("send_failed");
        message.hidden = false;
        submit.disabled = false;
        return; // no answer: pressing again retries with the same key
      }
      pending = null;
      submit.disabled = false;
      if (answer.ok) {
        done(answer);
        return;
      }
      const error = answer.body && answer.body.error;
      const unplaced = place(form, (error && error.details) || []);
      message.textContent = [ActionForms.refusal(answer.status, error, rule), ...unplaced].join(" ");
      message.dataset.status = String(answer.status);
      message.hidden = false;
    };
  },

  // Each error by the longest named field its location reaches; an error of the whole body
  // (two rows of one worker) goes with the form's message.
  placeErrors(form, details) {
    const unplaced = [];
    for (const d of details) {
      const loc = (d.loc || []).filter((part) => part !== "body").map(String);
      let placed = false;
      for (let n = loc.length; n > 0 && !placed; n--) {
        placed = ActionForms.fieldError(form, loc.slice(0, n).join("."), ActionForms.said(d));
      }
      if (!placed) unplaced.push(ActionForms.said(d));
    }
    return unplaced;
  },

  // `preset`: fields the page already knows (the deadline a row's button is for), shown
  // and sent as they are.
  build(caseId, form, onDone, preset = {}) {
    const schema = form.input_schema;
    const required = new Set(schema.required || []);
    const fields = {};
    for (const [name, node] of Object.entries(schema.properties || {})) {
      fields[name] = { ...ActionForms.field(node, schema.$defs || {}), required: required.has(name), node, defs: schema.$defs || {} };
      // A list of objects (claims) is rows to add and remove, as on the opening forms.
      const resolved = (typeof OpenForms !== "undefined") ? OpenForms.resolve(node, schema.$defs || {}) : node;
      if ((typeof OpenForms !== "undefined") && resolved.type === "array" && OpenForms.resolve(resolved.items || {}, schema.$defs || {}).type === "object") {
        fields[name].kind = "rows";
      }
    }
    const order = Object.keys(fields).sort((a, b) => (a === "reason") - (b === "reason"));
    const submit = App.el("button", { type: "submit" }, App.t("submit"));
    const cancel = App.el("button", { type: "button", class: "secondary" }, App.t("cancel"));
    const message = App.el("p", { class: "form-error", role: "alert", hidden: "" });
    const node = App.el(
      "form",
      { class: "action-form", "data-action": form.action, novalidate: "" },
      App.el("h3", {}, App.action(form.action), " ", App.el("span", { class: "muted" }, App.rule(form.rule))),
      ...order.map((name) =>
        fields[name].kind === "rows"
          ? OpenForms.list(name, OpenForms.resolve(fields[name].node, schema.$defs || {}), fields[name].required, schema.$defs || {})
          : ActionForms.input(name, fields[name], fields[name].required)
      ),
      App.el("div", { class: "form-buttons" }, submit, cancel),
      message
    );
    for (const [name, value] of Object.entries(preset)) {
      const input = node.elements[name];
      if (!input) continue;
      input.value = value;
      input.readOnly = true;
    }
    cancel.addEventListener("click", () => node.remove());
    node.addEventListener(
      "submit",
      ActionForms.submitter(node, submit, message, {
        path: "/api/v1/cases/" + caseId + "/actions/" + form.action,
        rule: form.rule,
        read: () => ActionForms.body(node, fields),
        done: () => {
          node.remove();
          onDone(form.action);
        },
        place: (_, details) => {
          for (const d of details) {
            const loc = d.loc || [];
            const name = loc[0] === "body" ? loc[1] : loc[0];
            if (name) ActionForms.fieldError(node, name, ActionForms.said(d));
          }
          return [];
        },
      })
    );
    return node;
  },

  // An action's form opened in the case page's one form holder.
  open(c, form, onDone, preset) {
    const holder = document.getElementById("action-form");
    holder.replaceChildren(ActionForms.build(c.case_id, form, onDone, preset));
    holder.scrollIntoView({ block: "nearest" });
    holder.querySelector("input:not([readonly]), select, textarea")?.focus();
  },

  // The buttons for the case's actions the caller may take now.
  async render(c, onDone) {
    const bar = document.getElementById("action-buttons");
    const holder = document.getElementById("action-form");
    // A file is attached by uploading it (the case's files), not by typing its hash.
    const mine = (c.available_actions || []).filter((a) => a.allowed && !ActionForms.UPLOADED.has(a.action));
    holder.replaceChildren();
    ActionForms.approvers = null;
    if (mine.some((a) => a.action === "extend_deadline")) {
      ActionForms.approvers = await App.api("/api/v1/approvers?county_code=" + c.county_code).catch(() => []);
    }
    const forms = await ActionForms.load(c.kind);
    ActionForms.notYet(c, forms, onDone);
    if (!mine.length) {
      bar.replaceChildren(App.el("p", { class: "muted" }, App.t("no_actions")));
      return;
    }
    bar.replaceChildren(
      ...mine
        .filter((a) => forms[a.action])
        .map((a) => {
          const button = App.el("button", { type: "button", "data-action": a.action }, App.action(a.action));
          button.addEventListener("click", () => ActionForms.open(c, forms[a.action], onDone));
          return button;
        })
    );
    ActionForms.deadlineButtons(c, forms, mine, onDone);
    ActionForms.notYet(c, forms, onDone);
  },

  // The caller's other actions, refused by the case's state now, each with why (the API's
  // `not_yet`). Still a button: a page can be older than the case, and trying shows the
  // refusal with its rule, as the workflow answers it.
  notYet(c, forms, onDone) {
    const box = document.getElementById("action-not-yet");
    if (!box) return;
    const items = (c.not_yet || []).filter((n) => forms[n.action]);
    box.hidden = !items.length;
    box.replaceChildren(
      App.el("summary", {}, App.t("not_yet_title") + "（" + items.length + "）"),
      App.el(
        "ul",
        {},
        ...items.map((n) => {
          const button = App.el("button", { type: "button", class: "secondary small", "data-action": n.action }, App.action(n.action));
          button.addEventListener("click", () => ActionForms.open(c, forms[n.action], onDone));
          const why = App.lang === "zh" && n.reason_zh ? n.reason_zh : n.reason;
          return App.el("li", { "data-not-yet": n.action }, button, " ", App.el("span", { class: "muted" }, App.rule(n.rule) + App.sep() + why));
        })
      )
    );
  },

  // Beside each running deadline: extend, pause or resume it, where the caller may and the
  // deadline's policy allows; the form comes with the deadline filled in.
  deadlineButtons(c, forms, mine, onDone) {
    const may = new Set(mine.map((a) => a.action));
    for (const cell of document.querySelectorAll("#deadlines td[data-deadline]")) {
      const d = c.deadlines[Number(cell.dataset.index)];
      const wanted = [];
      const p = d.policy || {};
      const more = p.max_extensions === null || p.max_extensions === undefined || (d.extensions || 0) < p.max_extensions;
      if (d.state === "pending" && !d.is_paused && p.extendable && more) wanted.push("extend_deadline");
      if (d.state === "pending" && !d.is_paused && p.pausable) wanted.push("pause_deadline");
      if (d.state === "pending" && d.is_paused) wanted.push("resume_deadline");
      cell.replaceChildren(
        ...wanted
          .filter((name) => may.has(name) && forms[name])
          .map((name) => {
            const button = App.el("button", { type: "button", class: "secondary small", "data-action": name }, App.action(name));
            button.addEventListener("click", () => ActionForms.open(c, forms[name], onDone, { deadline: d.name }));
            return button;
          })
      );
    }
  },
};
