// OneStop page helpers: htmx sends the CSRF token; job pages follow progress live.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
  });

  // Destructive buttons ask first (without JavaScript they simply submit).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
  });

  // A job page: listen on /ws/jobs/<id>/; if WebSockets fail, poll /api/jobs/<id>.
  function followJob(panel) {
    var id = panel.dataset.jobId;
    var bar = panel.querySelector(".progress > span");
    var status = panel.querySelector("[data-job-status]");
    var count = panel.querySelector("[data-job-count]");
    var result = panel.querySelector("[data-job-result]");
    var finished = false, pollTimer = null;

    function show(job) {
      if (job.percent !== null && job.percent !== undefined) { bar.style.width = job.percent + "%"; }
      panel.querySelector(".progress").setAttribute("aria-valuenow", job.percent || 0);
      status.textContent = job.status_label;
      count.textContent = job.total ? job.done.toLocaleString() + " / " + job.total.toLocaleString() : "";
      if (job.finished && !finished) {
        finished = true;
        if (pollTimer) { clearInterval(pollTimer); }
        // The server renders the result in the page's language.
        fetch(panel.dataset.resultUrl, { headers: { "HX-Request": "true" } })
          .then(function (r) { return r.text(); })
          .then(function (html) { result.innerHTML = html; });
      }
    }
    function poll() {
      pollTimer = setInterval(function () {
        fetch("/api/jobs/" + id, { credentials: "same-origin" })
          .then(function (r) { return r.json(); }).then(show);
      }, 1000);
    }
    if (!("WebSocket" in window)) { poll(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/jobs/" + id + "/");
    socket.onmessage = function (event) { show(JSON.parse(event.data).job); };
    socket.onerror = function () { if (!finished && !pollTimer) { poll(); } };
    socket.onclose = function () { if (!finished && !pollTimer) { poll(); } };
  }
  document.querySelectorAll("[data-job-id]").forEach(followJob);
})();
