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
    window.location.assign(safeNext(form.dataset.next));
  });
});

// Only a path on this site, never another origin. The server already chose `next` (it falls
// back to the board); this checks again, as the browser will read it: a backslash counts
// as a slash and a tab or new line is dropped, so `/\host` and `/<tab>/host` mean `//host`.
function safeNext(next) {
  if (!next || !/^\/(?![\/\\])/.test(next) || /[\s\\\x00-\x1f\x7f]/.test(next)) return "/board";
  const url = new URL(next, window.location.origin);
  if (url.origin !== window.location.origin) return "/board";
  return url.pathname + url.search + url.hash;
}
