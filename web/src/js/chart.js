// A small SVG line chart: one line per series over the years, with points, axes and a legend.
import { formatNumber } from "./format.js";

const NS = "http://www.w3.org/2000/svg";
export const SERIES_COLORS = ["#1f5fbf", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#333333"];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** series: [{label, color, dash, outline, points:[{year, value}]}]; returns a <figure>. */
export function lineChart(series, { unit = "", decimals = 1, lang = "sv", title = "" } = {}) {
  const width = 340;
  const height = 190;
  const m = { top: 12, right: 12, bottom: 26, left: 52 };
  const all = series.flatMap((s) => s.points.filter((p) => p.value !== null && Number.isFinite(p.value)));
  const figure = document.createElement("figure");
  figure.className = "chart";
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, preserveAspectRatio: "xMidYMid meet" });
  svg.appendChild(el("title", {}, title));
  figure.appendChild(svg);
  const years = [...new Set(series.flatMap((s) => s.points.map((p) => p.year)))].sort((a, b) => a - b);
  if (!all.length || !years.length) {
    svg.appendChild(el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "chart-empty" }, lang === "en" ? "No data" : "Uppgift saknas"));
    return figure;
  }
  let lo = Math.min(...all.map((p) => p.value));
  let hi = Math.max(...all.map((p) => p.value));
  if (lo === hi) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const x0 = years[0];
  const x1 = years[years.length - 1];
  const sx = (year) => m.left + (x1 === x0 ? (width - m.left - m.right) / 2 : ((year - x0) / (x1 - x0)) * (width - m.left - m.right));
  const sy = (v) => height - m.bottom - ((v - lo) / (hi - lo)) * (height - m.top - m.bottom);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    svg.appendChild(el("line", { x1: m.left, x2: width - m.right, y1: sy(v), y2: sy(v), class: "grid" }));
    svg.appendChild(el("text", { x: m.left - 4, y: sy(v) + 3, "text-anchor": "end", class: "tick" }, formatNumber(v, decimals, lang)));
  }
  const step = Math.ceil(years.length / 7);
  years.forEach((year, i) => {
    if (i % step === 0 || i === years.length - 1) svg.appendChild(el("text", { x: sx(year), y: height - 8, "text-anchor": "middle", class: "tick" }, String(year)));
  });
  series.forEach((s, index) => {
    const color = s.color || SERIES_COLORS[index % SERIES_COLORS.length];
    let d = "";
    let pen = false;
    for (const p of [...s.points].sort((a, b) => a.year - b.year)) {
      if (p.value === null || !Number.isFinite(p.value)) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${sx(p.year).toFixed(1)},${sy(p.value).toFixed(1)}`;
      pen = true;
      const dot = el("circle", { cx: sx(p.year), cy: sy(p.value), r: 2.6, fill: color, ...(s.outline ? { stroke: "#595959", "stroke-width": 0.8 } : {}) });
      dot.appendChild(el("title", {}, `${s.label} ${p.year}: ${formatNumber(p.value, decimals, lang)} ${unit}`));
      svg.appendChild(dot);
    }
    const path = el("path", { d, fill: "none", stroke: color, "stroke-width": 2, class: "series" });
    if (s.dash) path.setAttribute("stroke-dasharray", "5 3");
    svg.insertBefore(path, svg.firstChild.nextSibling);
    // a dark edge under a line of a light colour, so that it stands out from the white background
    if (s.outline) svg.insertBefore(el("path", { d, fill: "none", stroke: "#595959", "stroke-width": 3.6, class: "outline" }), path);
  });
  const legend = document.createElement("figcaption");
  legend.className = "chart-legend";
  series.forEach((s, index) => {
    const item = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = s.color || SERIES_COLORS[index % SERIES_COLORS.length];
    if (s.dash) swatch.className = "dash";
    else if (s.outline) swatch.className = "edge";
    item.append(swatch, document.createTextNode(s.label));
    legend.appendChild(item);
  });
  figure.appendChild(legend);
  return figure;
}
