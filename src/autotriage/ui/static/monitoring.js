// The drift report is made by the observability issue's monitor; GET /api/v1/drift reuses a
// recent one, and "Make a new report" asks for a fresh one.
import { api, el } from "./app.js";

const summary = document.getElementById("drift-summary");
const table = document.getElementById("drift-checks");

async function load(refresh) {
  summary.textContent = refresh ? "Making a new drift report…" : "Loading the latest report…";
  try {
    const report = await api(`/api/v1/drift${refresh ? "?refresh=true" : ""}`);
    const checks = report.checks || [];
    summary.textContent = `${report.drift_detected ? "Drift detected" : "No drift detected"}` +
      ` (severity ${report.severity}) over ${report.current?.n_texts ?? "?"} tickets, model ` +
      `${report.model_version}, checked ${report.checked_at || "just now"}.`;
    table.hidden = checks.length === 0;
    table.querySelector("tbody").replaceChildren(...checks.map((c) => el("tr",
      { class: c.drifted ? "drifted" : "" },
      el("td", {}, c.check), el("td", {}, c.field ?? "-"), el("td", {}, c.test),
      el("td", {}, c.score), el("td", {}, c.p_value ?? "-"), el("td", {}, c.threshold ?? "-"),
      el("td", {}, c.drifted ? "yes" : "no"))));
  } catch (err) {
    summary.textContent = `Not available: ${err.message}`;
    table.hidden = true;
  }
}

const refresh = document.getElementById("drift-refresh");
if (refresh) {  // absent when the page already says why no report can be made
  refresh.addEventListener("click", () => load(true));
  load(false);
}
