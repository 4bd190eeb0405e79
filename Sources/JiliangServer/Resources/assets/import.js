// The import page: uploads the chosen CSV as the request body (with the session's CSRF token in a
// header), then polls the job until it is done, moving the progress bar. No library, no CDN.
(function () {
  const form = document.getElementById("import-form");
  const bar = document.getElementById("bar");
  const percent = document.getElementById("percent");
  const status = document.getElementById("import-status");
  const report = document.getElementById("error-report");
  function show(done, total) {
    const p = total > 0 ? Math.floor((done * 100) / total) : 0;
    bar.value = p;
    percent.textContent = p + "%";
  }
  async function poll(id) {
    const r = await fetch("/app/jobs/" + id + ".json", { credentials: "same-origin" });
    const job = await r.json();
    show(job.done || 0, job.total || 0);
    if (job.state === "done" || job.state === "failed") {
      if (job.state === "done") {
        show(1, 1);
        status.textContent = status.dataset.done + " " + status.dataset.inserted + ": " + job.inserted + ", " + status.dataset.errors + ": " + job.errors;
        if (job.errors > 0) { report.href = "/app/jobs/" + id + "/errors.csv"; report.hidden = false; }
        const summary = document.getElementById("error-summary");
        summary.replaceChildren();
        for (const line of job.summary || []) {
          const li = document.createElement("li");
          li.textContent = line;
          summary.appendChild(li);
        }
      } else {
        status.textContent = status.dataset.failed + " " + (job.message || "");
      }
      return;
    }
    setTimeout(function () { poll(id); }, 500);
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const file = document.getElementById("file").files[0];
    if (!file) return;
    status.textContent = "";
    report.hidden = true;
    show(0, 1);
    const r = await fetch("/app/import?mode=" + encodeURIComponent(document.getElementById("mode").value), {
      method: "POST", body: file, credentials: "same-origin",
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": form.dataset.csrf },
    });
    const answer = await r.json();
    if (!r.ok) { status.textContent = status.dataset.failed + " " + (answer.message || answer.detail || ""); return; }
    poll(answer.id);
  });
})();
