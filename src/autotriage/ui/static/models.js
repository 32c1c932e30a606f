// Admin actions through /api/v1/admin/models: retrain (then follow the run), promote, roll back.
import { api } from "./app.js";

const status = document.getElementById("model-status");
const reason = () => document.getElementById("reason")?.value.trim() || null;

async function act(label, call) {
  status.textContent = `${label}…`;
  try {
    status.textContent = await call();
  } catch (err) {
    status.textContent = `${label} refused: ${err.message}`;
  }
}

async function followRun(url) {
  for (;;) {
    const run = await api(url);
    if (run.status !== "running") {
      return `Retrain run ${run.id}: ${run.status}` +
        (run.decided_by ? ` (${run.decided_by})` : "") + (run.error ? ` - ${run.error}` : "") +
        ". Reload the page to see its report.";
    }
    status.textContent = `Retrain run ${run.id} is running…`;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

document.getElementById("retrain")?.addEventListener("click", () => act("Retrain", async () => {
  const dryRun = document.getElementById("dry-run").checked;
  const started = await api("/api/v1/admin/models/retrain", { method: "POST",
                                                              body: { dry_run: dryRun } });
  return followRun(started.status_url);
}));

document.getElementById("rollback")?.addEventListener("click", () => act("Rollback", async () => {
  const event = await api("/api/v1/admin/models/rollback", { method: "POST",
                                                             body: { reason: reason() } });
  return `Rolled back: ${event.version} is the champion again.`;
}));

for (const button of document.querySelectorAll("button.promote")) {
  button.addEventListener("click", () => act("Promote", async () => {
    const version = button.dataset.version;
    const event = await api(`/api/v1/admin/models/${encodeURIComponent(version)}/promote`,
                            { method: "POST", body: { reason: reason() } });
    return `Promoted ${event.version} (was ${event.previous_version || "none"}).`;
  }));
}
