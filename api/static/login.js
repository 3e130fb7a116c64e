// The login page: keeps the pasted token once the API accepts it, then goes where the user was.
"use strict";

document.addEventListener("app:ready", () => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = document.getElementById("token").value.trim();
    error.hidden = true;
    // Any authenticated read tells a live token from a dead one.
    const response = await fetch("/api/v1/sla?limit=1", {
      headers: { Authorization: "Bearer " + token },
    });
    if (response.status === 401) {
      error.hidden = false;
      return;
    }
    App.setToken(token);
    const next = new URLSearchParams(window.location.search).get("next");
    // Only a path on this site, never another origin.
    const safe = next && next.startsWith("/") && !next.startsWith("//") ? next : "/board";
    window.location.assign(safe);
  });
});
