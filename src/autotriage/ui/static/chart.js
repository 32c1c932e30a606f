// A small SVG chart helper: bars (stacked when a day has several series) and a line. Written
// for the dashboard; no library, no network. Every chart gets a text alternative.
const NS = "http://www.w3.org/2000/svg";
const W = 420, H = 160, PAD = { l: 34, r: 8, t: 8, b: 22 };
export const PALETTE = ["#2b6fd6", "#e07b39", "#3a9d5d", "#b44cc1", "#c9a227", "#5b6b82",
                        "#d64545", "#2aa3a3", "#8a6d3b", "#7b8cde"];

function svg(tag, attrs) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function frame(container, label, max) {
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label,
                            class: "chart-svg" });
  const y0 = H - PAD.b;
  root.append(svg("line", { x1: PAD.l, x2: W - PAD.r, y1: y0, y2: y0, stroke: "#99a" }));
  const top = svg("text", { x: PAD.l - 4, y: PAD.t + 8, "text-anchor": "end",
                            "font-size": 10, fill: "#556" });
  top.textContent = String(max);
  root.append(top);
  container.replaceChildren(root);
  return root;
}

function dayLabels(root, days) {
  const step = (W - PAD.l - PAD.r) / days.length;
  days.forEach((day, i) => {
    if (i % Math.ceil(days.length / 7) !== 0) return;
    const t = svg("text", { x: PAD.l + step * i + step / 2, y: H - 6, "text-anchor": "middle",
                            "font-size": 9, fill: "#556" });
    t.textContent = day.slice(5);
    root.append(t);
  });
  return step;
}

// rows: one object per day {series: value}; keys: the series in stacking order.
export function stackedBars(container, days, rows, keys, label) {
  const totals = rows.map((r) => keys.reduce((s, k) => s + (r[k] || 0), 0));
  const max = Math.max(1, ...totals);
  const root = frame(container, label, max);
  const step = dayLabels(root, days);
  const scale = (H - PAD.t - PAD.b) / max;
  rows.forEach((row, i) => {
    let y = H - PAD.b;
    keys.forEach((key, k) => {
      const h = (row[key] || 0) * scale;
      if (!h) return;
      y -= h;
      const bar = svg("rect", { x: PAD.l + step * i + 1, y, width: Math.max(1, step - 2),
                                height: h, fill: PALETTE[k % PALETTE.length] });
      const tip = svg("title", {});
      tip.textContent = `${days[i]} ${key}: ${row[key]}`;
      bar.append(tip);
      root.append(bar);
    });
  });
  if (keys.length > 1) legend(container, keys);
}

export function line(container, days, values, label, max = 1) {
  const root = frame(container, label, max);
  const step = dayLabels(root, days);
  const scale = (H - PAD.t - PAD.b) / max;
  const points = values.map((v, i) => v === null ? null
    : [PAD.l + step * i + step / 2, H - PAD.b - v * scale, days[i], v]).filter(Boolean);
  if (points.length > 1) {
    root.append(svg("polyline", { points: points.map(([x, y]) => `${x},${y}`).join(" "),
                                  fill: "none", stroke: PALETTE[0], "stroke-width": 2 }));
  }
  for (const [x, y, day, v] of points) {  // a dot per day, so a single day shows too
    const dot = svg("circle", { cx: x, cy: y, r: 3, fill: PALETTE[0] });
    const tip = svg("title", {});
    tip.textContent = `${day}: ${v}`;
    dot.append(tip);
    root.append(dot);
  }
}

function legend(container, keys) {
  const list = document.createElement("ul");
  list.className = "legend";
  keys.forEach((key, k) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = PALETTE[k % PALETTE.length];  // CSSOM: allowed by the CSP
    item.append(swatch, key);
    list.append(item);
  });
  container.append(list);
}
