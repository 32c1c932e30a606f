// Submit a ticket through the public API, then poll its status until it is classified.
const form = document.getElementById("submit-form");
const result = document.getElementById("result");

function show(text, isError) {
  result.textContent = text;
  result.className = isError ? "error" : "";
}

async function poll(url) {
  for (let i = 0; i < 60; i++) {
    const response = await fetch(url);
    const ticket = await response.json();
    if (ticket.status !== "received") {
      const lines = Object.entries(ticket.predictions).map(([field, p]) =>
        `${field}: ${p.label} (${Math.round(p.confidence * 100)}%) - top: ` +
        p.top.map((s) => `${s.label} ${Math.round(s.confidence * 100)}%`).join(", "));
      show(`Ticket ${ticket.id}: ${ticket.status} (${ticket.decision})\n${lines.join("\n")}`);
      return;
    }
    show(`Ticket ${ticket.id}: waiting for classification...`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  show("Still not classified after 30 s; is a worker running?", true);
}

if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = { subject: form.subject.value, body: form.body.value, channel: "web" };
    const response = await fetch("/api/v1/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    const data = await response.json();
    if (!response.ok) {
      show(data.detail || "The ticket was not accepted.", true);
      return;
    }
    await poll(data.status_url);
  });
}
