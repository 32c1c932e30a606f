// Submit through POST /api/v1/tickets, then follow the ticket until a worker has classified it.
import { api, el, pct } from "./app.js";

const form = document.getElementById("submit-form");
const error = document.getElementById("submit-error");
const result = document.getElementById("result");
const $ = (id) => document.getElementById(id);
const POLL_MS = 400;
const GIVE_UP_MS = 60_000;

function showTicket(ticket) {
  result.hidden = false;
  $("result-id").textContent = String(ticket.id);
  $("result-status").textContent = ticket.status.replace("_", " ");
  $("result-decision").textContent = ticket.decision ? `· decision: ${ticket.decision}` : "";
  $("result-reason").textContent = ticket.decision_reason || "";
  $("result-link").href = `/tickets/${ticket.id}`;
  const rows = Object.entries(ticket.predictions || {}).map(([field, p]) => el("tr", {},
    el("td", {}, field),
    el("td", {}, `${p.label} (${pct(p.confidence)})`),
    el("td", {}, p.top.map((s) => `${s.label} ${pct(s.confidence)}`).join(" · ")),
    el("td", {}, p.decision)));
  $("result-predictions").hidden = rows.length === 0;
  $("result-predictions").querySelector("tbody").replaceChildren(...rows);
}

async function follow(url) {
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    const ticket = await api(url);
    showTicket(ticket);
    if (ticket.status !== "received") return;
    if (Date.now() > deadline) {
      error.textContent = "Not classified after a minute; is a worker running? The ticket is " +
        "stored and will be classified when one runs.";
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  if (!form.body.value.trim()) {
    error.textContent = "Describe the problem in the description field.";
    form.body.focus();
    return;
  }
  const payload = { subject: form.subject.value, body: form.body.value, channel: "web" };
  if (form.sender.value.trim()) payload.sender = form.sender.value.trim();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const accepted = await api("/api/v1/tickets", { method: "POST", body: payload });
    showTicket({ id: accepted.id, status: accepted.status, predictions: {} });
    await follow(accepted.status_url);
  } catch (err) {
    error.textContent = `The ticket was not accepted: ${err.message}`;
  } finally {
    button.disabled = false;
  }
});
