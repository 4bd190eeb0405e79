// The import page: uploads the chosen CSV or XLSX as the request body (with the session's CSRF
// token in a header), then polls the job until it is done, moving the progress bar. A preview
// (dry run) shows how each column was read — with a choice to read it as another field — and
// sample rows as they will be stored; the corrected mapping can be previewed again, saved as a
// profile, and used for the import. No library, no CDN.
(function () {
  const form = document.getElementById("import-form");
  const bar = document.getElementById("bar");
  const percent = document.getElementById("percent");
  const status = document.getElementById("import-status");
  const report = document.getElementById("error-report");
  const preview = document.getElementById("preview");
  // The mapping the user set on the preview, sent with the next upload (header → field).
  let mapping = null;

  function show(done, total) {
    const p = total > 0 ? Math.floor((done * 100) / total) : 0;
    bar.value = p;
    percent.textContent = p + "%";
  }
  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }
  function showSummary(job, id) {
    if (job.errors > 0) { report.href = form.dataset.jobs + id + "/errors.csv"; report.hidden = false; }
    const summary = document.getElementById("error-summary");
    summary.replaceChildren();
    document.getElementById("error-summary-title").hidden = !(job.summary || []).length;
    for (const line of job.summary || []) {
      const li = document.createElement("li");
      li.textContent = line;
      summary.appendChild(li);
    }
  }
  function showPreview(job) {
    const s = document.getElementById("preview-summary");
    s.textContent = s.dataset.read + " " + job.format + (job.sheet ? " · " + job.sheet : "") + " · " + s.dataset.headerRow + " " + job.headerRow
      + " · " + s.dataset.rows + " " + job.rows + ", " + s.dataset.valid + " " + job.valid + ", " + s.dataset.errors + " " + job.errors
      + " · " + s.dataset.wouldAdd + " " + job.wouldInsert + ", " + s.dataset.present + " " + job.alreadyPresent;
    const choices = document.getElementById("field-choices");
    const body = document.querySelector("#mapping tbody");
    body.replaceChildren();
    for (const c of job.mapping || []) {
      const tr = document.createElement("tr");
      cell(tr, c.header);
      const td = document.createElement("td");
      const select = choices.cloneNode(true);
      select.removeAttribute("id");
      select.hidden = false;
      select.removeAttribute("aria-hidden");
      select.dataset.header = c.header;
      select.className = "column-field";
      select.setAttribute("aria-label", c.header);
      select.value = c.field || "";
      // An owner or institution roll is read by its headers alone: no mapping to correct.
      select.disabled = !!job.party;
      td.appendChild(select);
      tr.appendChild(td);
      body.appendChild(tr);
    }
    const sample = document.querySelector("#sample tbody");
    sample.replaceChildren();
    for (const r of job.sample || []) {
      const tr = document.createElement("tr");
      for (const v of [r.row, r.name, r.subItem, r.serialNo, r.region, r.last, r.status, r.nextDue]) cell(tr, String(v));
      sample.appendChild(tr);
    }
    document.getElementById("preview-again").hidden = !!job.party;
    document.getElementById("save-profile").parentElement.hidden = !!job.party;
    preview.hidden = false;
  }
  function currentMapping() {
    const m = {};
    for (const s of document.querySelectorAll("select.column-field")) m[s.dataset.header] = s.value;
    return m;
  }
  async function poll(id) {
    const r = await fetch(form.dataset.jobs + id + ".json", { credentials: "same-origin" });
    const job = await r.json();
    show(job.done || 0, job.total || 0);
    if (job.state === "done" || job.state === "failed") {
      if (job.state === "done") {
        show(1, 1);
        if (job.dryRun) {
          status.textContent = "";
          showPreview(job);
        } else {
          status.textContent = status.dataset.done + " " + status.dataset.inserted + ": " + job.inserted + ", " + status.dataset.errors + ": " + job.errors;
        }
        showSummary(job, id);
      } else {
        status.textContent = status.dataset.failed + " " + (job.message || "");
      }
      return;
    }
    setTimeout(function () { poll(id); }, 500);
  }
  async function upload(dryRun) {
    const file = document.getElementById("file").files[0];
    if (!file) { form.reportValidity(); return; }
    status.textContent = "";
    report.hidden = true;
    if (!dryRun) preview.hidden = true;
    show(0, 1);
    const q = new URLSearchParams();
    q.set("mode", document.getElementById("mode").value);
    q.set("kind", document.getElementById("kind").value);
    if (dryRun) q.set("dry_run", "true");
    for (const [key, id] of [["profile", "profile"], ["sheet", "sheet"], ["verified_by", "verified-by"]]) {
      const v = document.getElementById(id).value.trim();
      if (v) q.set(key, v);
    }
    for (const [header, field] of Object.entries(mapping || {})) q.append("map", header + "=" + field);
    const r = await fetch(form.dataset.upload + "?" + q.toString(), {
      method: "POST", body: file, credentials: "same-origin",
      headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": form.dataset.csrf },
    });
    const answer = await r.json();
    if (!r.ok) { status.textContent = status.dataset.failed + " " + (answer.message || answer.detail || ""); return; }
    poll(answer.id);
  }
  // A new file starts from what its header says.
  document.getElementById("file").addEventListener("change", function () { mapping = null; preview.hidden = true; });
  document.getElementById("kind").addEventListener("change", function () { mapping = null; preview.hidden = true; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!preview.hidden) mapping = currentMapping();
    upload(false);
  });
  document.getElementById("preview-import").addEventListener("click", function () { upload(true); });
  document.getElementById("preview-again").addEventListener("click", function () { mapping = currentMapping(); upload(true); });
  document.getElementById("save-profile").addEventListener("click", async function () {
    const button = this;
    const out = document.getElementById("profile-status");
    const r = await fetch(form.dataset.profiles, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
      body: JSON.stringify({
        name: document.getElementById("profile-name").value, mapping: currentMapping(),
        sheet: document.getElementById("sheet").value, verified_by: document.getElementById("verified-by").value,
      }),
    });
    const answer = await r.json();
    out.textContent = r.ok ? button.dataset.saved + " " + answer.name : (answer.message || answer.detail || "");
  });
})();
