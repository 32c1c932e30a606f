// Keyboard-first review. J/K move, 1-3 pick a suggestion of the first field, Enter accepts
// (a picked suggestion other than the model's makes it a correction), E escalates, U undoes,
// X selects for bulk and A accepts the selection. Verdicts go through /api/v1/review.
import { api, el } from "./app.js";

const items = [...document.querySelectorAll("#queue > li.item")];
const statusLine = document.getElementById("review-status");
const bulkButton = document.getElementById("bulk-accept");
const similarList = document.getElementById("similar-list");
const similarEmpty = document.getElementById("similar-empty");
const similarCache = new Map();
let current = 0;

const say = (text) => { statusLine.textContent = text; };
const idOf = (item) => Number(item.dataset.id);
const byId = (id) => items.find((item) => idOf(item) === id);
const isDone = (item) => item.classList.contains("done");

function primaryField(item) {
  return item.querySelector(".field.primary");
}

function showSimilar(found) {
  similarList.replaceChildren(...found.map((s) => el("li", {},
    el("a", { href: `/tickets/${s.ticket_id}` }, `#${s.ticket_id}`), " ", s.subject, " ",
    el("small", {}, `${Math.round(s.similarity * 100)}% similar · ` +
      Object.entries(s.labels).map(([f, v]) => `${f}: ${v}`).join(", ")))));
  similarEmpty.hidden = found.length > 0;
}

async function loadSimilar(item) {
  const id = idOf(item);
  if (!similarCache.has(id)) {
    try {
      similarCache.set(id, (await api(`/review/similar/${id}`)).similar);
    } catch (err) {
      say(`Similar tickets not available: ${err.message}`);
      return;
    }
  }
  if (items[current] === item) showSimilar(similarCache.get(id));
}

function focusItem(index) {
  if (!items.length) return;
  current = Math.max(0, Math.min(items.length - 1, index));
  items.forEach((item, i) => {
    item.tabIndex = i === current ? 0 : -1;
    item.classList.toggle("current", i === current);
  });
  const item = items[current];
  item.focus();
  item.scrollIntoView({ block: "nearest" });
  loadSimilar(item);
}

function move(step) {
  // Skip tickets that already have a verdict, unless none is left in that direction.
  for (let i = current + step; i >= 0 && i < items.length; i += step) {
    if (!isDone(items[i])) return focusItem(i);
  }
  focusItem(current + step);
}

function pick(n) {
  const field = primaryField(items[current]);
  const options = field ? [...field.querySelectorAll(".suggestion")] : [];
  if (n > options.length) return say(`There is no suggestion ${n}.`);
  options.forEach((option, i) => option.classList.toggle("chosen", i === n - 1));
  say(`Picked ${options[n - 1].dataset.label} for ${field.dataset.field}; Enter accepts.`);
}

function verdictFor(item) {
  const field = primaryField(item);
  const chosen = field?.querySelector(".suggestion.chosen");
  if (field && chosen && chosen.dataset.label !== field.dataset.label) {
    return { action: "correct", labels: { [field.dataset.field]: chosen.dataset.label } };
  }
  return { action: "accept" };
}

function markDone(item, text) {
  item.classList.add("done");
  item.querySelector(".verdict").textContent = text;
  item.querySelector(".pick").checked = false;
}

async function decide(verdict) {
  const item = items[current];
  if (!item || isDone(item)) return say("This ticket already has your verdict; U undoes it.");
  try {
    const out = await api(`/api/v1/review/tickets/${idOf(item)}/verdict`,
                          { method: "POST", body: verdict });
    markDone(item, `${out.action} → ${out.to_status.replace("_", " ")}`);
    say(`Ticket ${out.ticket_id}: ${out.action}. U undoes.`);
    updateSelection();
    move(1);
  } catch (err) {
    say(`Ticket ${idOf(item)}: ${err.message}`);
  }
}

async function undo() {
  try {
    const out = await api("/api/v1/review/undo", { method: "POST" });
    for (const v of out.verdicts) {
      const item = byId(v.ticket_id);
      if (!item) continue;
      item.classList.remove("done");
      item.querySelector(".verdict").textContent = "undone";
    }
    const first = out.verdicts.length ? byId(out.verdicts[0].ticket_id) : null;
    if (first) focusItem(items.indexOf(first));
    say(`Undone: ${out.verdicts.map((v) => `ticket ${v.ticket_id} (${v.action})`).join(", ")}.`);
  } catch (err) {
    say(`Nothing undone: ${err.message}`);
  }
}

function selected() {
  return items.filter((item) => item.querySelector(".pick").checked && !isDone(item));
}

function updateSelection() {
  const n = selected().length;
  document.getElementById("selected-count").textContent = `${n} selected`;
  bulkButton.disabled = n === 0;
}

function toggleSelect() {
  const box = items[current]?.querySelector(".pick");
  if (!box || isDone(items[current])) return;
  box.checked = !box.checked;
  updateSelection();
}

async function bulkAccept() {
  const chosen = selected();
  if (!chosen.length) return say("Select tickets with X first.");
  try {
    const out = await api("/api/v1/review/bulk", { method: "POST",
      body: { action: "accept", ticket_ids: chosen.map(idOf) } });
    for (const v of out.verdicts) markDone(byId(v.ticket_id), `${v.action} (bulk)`);
    say(`Accepted ${out.verdicts.length} tickets at once; U undoes them together.`);
    updateSelection();
  } catch (err) {
    say(`Bulk accept refused, nothing changed: ${err.message}`);
  }
}

const KEYS = {
  j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
  1: () => pick(1), 2: () => pick(2), 3: () => pick(3),
  Enter: () => decide(verdictFor(items[current])), e: () => decide({ action: "escalate" }),
  u: undo, x: toggleSelect, a: bulkAccept,
};

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest && target.closest("input, select, textarea, button, a, summary")) return;
  const action = KEYS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
  if (!action || !items.length) return;
  event.preventDefault();
  action();
});

for (const box of document.querySelectorAll("#queue .pick")) {
  box.addEventListener("change", updateSelection);
}
items.forEach((item, i) => item.addEventListener("click", () => { if (i !== current) focusItem(i); }));
bulkButton.addEventListener("click", bulkAccept);

const firstSimilar = JSON.parse(document.getElementById("first-similar").textContent);
if (items.length) {
  similarCache.set(idOf(items[0]), firstSimilar);
  focusItem(0);
}
