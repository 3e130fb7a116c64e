// The case's files (uploads and the notices produced as PDF), and the notices it offers now.
"use strict";

(function () {
  const caseId = () => document.getElementById("case").dataset.caseId;
  const base = () => "/api/v1/cases/" + encodeURIComponent(caseId());

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function renderFiles(items) {
    const list = document.getElementById("file-list");
    document.getElementById("files-none").hidden = items.length > 0;
    list.replaceChildren(
      ...items.map((f) => {
        const link = App.el("a", { href: f.url, class: "file-name", "data-sha256": f.sha256 }, f.name);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          App.download(f.url, f.name);
        });
        return App.el(
          "li",
          { class: "file" },
          link,
          App.el("span", { class: "muted" }, [size(f.size), App.cst(f.attached_at), f.attached_by].join(" · "))
        );
      })
    );
  }

  function renderOffers(items) {
    const box = document.getElementById("notice-offers");
    box.replaceChildren(
      ...items.filter((n) => n.can_produce).map((n) => {
        const label = App.t("notice_produce") + " " + n.title + (n.number ? " · " + n.number : "");
        const button = App.el("button", { type: "button", class: "button", "data-notice": n.kind }, label);
        button.addEventListener("click", () => produce(n, button));
        return button;
      })
    );
  }

  async function produce(notice, button) {
    button.disabled = true;
    const done = document.getElementById("notice-done");
    try {
      const answer = await App.send("POST", notice.url, {});
      if (!answer.ok) {
        const error = answer.body && answer.body.error;
        done.textContent = (error && (App.lang === "zh" && error.message_zh ? error.message_zh : error.message)) || String(answer.status);
      } else {
        done.textContent = App.t("notice_done") + " " + answer.body.number;
      }
      await load();
      done.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    try {
      const [files, offers] = await Promise.all([App.api(base() + "/files"), App.api(base() + "/notices")]);
      renderFiles(files.items);
      renderOffers(offers.items);
    } catch (error) {
      App.showError(error);
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
