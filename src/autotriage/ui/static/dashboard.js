import { line, stackedBars } from "./chart.js";

const series = JSON.parse(document.getElementById("series").textContent);
const days = series.days;
const keysOf = (rows) => [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();

stackedBars(document.getElementById("chart-volume"), days,
  series.volume.map((n) => ({ tickets: n })), ["tickets"],
  `tickets per day: ${series.volume.join(", ")}`);
const decisionKeys = keysOf(series.decisions);
stackedBars(document.getElementById("chart-decisions"), days, series.decisions, decisionKeys,
  `decision mix per day, series ${decisionKeys.join(", ")}`);
line(document.getElementById("chart-confidence"), days, series.confidence,
  "mean confidence per day");
const labelKeys = keysOf(series.by_label);
stackedBars(document.getElementById("chart-labels"), days, series.by_label, labelKeys,
  `tickets per day by ${series.field}`);
