// The bell on every page: the caller's unread count from GET /api/v1/me, every minute.
"use strict";

const Inbox = {
  // POSTs with the user's token (App.api reads only).
  async post(path) {
    const response = await fetch(path, {
      method: "POST",
      headers: { Authorization: "Bearer " + App.token() },
    });
    if (response.status === 401) return App.toLogin();
    const body = await response.json();
    if (!response.ok) throw new Error(response.status + ": " + (body.error ? body.error.message : ""));
    return body;
  },

  showCount(unread) {
    const badge = document.getElementById("bell-count");
    if (!badge) return;
    badge.textContent = unread > 99 ? "99+" : String(unread);
    badge.hidden = !unread;
    document.getElementById("bell").dataset.unread = String(unread);
  },

  async refresh() {
    if (!App.token()) return;
    try {
      const me = await App.api("/api/v1/me");
      Inbox.showCount(me.unread);
    } catch (error) {
      // The page's own calls show errors; the bell stays as it was.
    }
  },
};

document.addEventListener("app:ready", () => {
  if (document.body.dataset.page === "login") {
    document.getElementById("bell").hidden = true;
    return;
  }
  Inbox.refresh();
  window.setInterval(Inbox.refresh, 60 * 1000);
});
