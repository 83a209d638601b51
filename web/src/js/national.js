// The national overview map of the summary measures (the ojämlikhetsindex, the shares of the population
// living in områdestyp 1–2 and 4–5) for every municipality or county in a year, classed by the server over
// the whole country; clicking a municipality opens its overview, a county its county page.
import { api } from "./api.js";
import { tileJSON } from "./data.js";
import { el } from "./dom.js";
import { formatValue } from "./format.js";
import { t, getLang, indicatorTitle } from "./i18n.js";
import { MapView } from "./mapview.js";
import { headingWithHelp } from "./methods.js";
import { NO_DATA, SUPPRESSED } from "./metrics.js";

export const SUMMARY = ["ojamlikhetsindex", "population_types_1_2", "population_types_4_5"];

const swatch = (color) => {
  const node = el("span", { className: "swatch" });
  node.style.backgroundColor = color;
  node.setAttribute("aria-hidden", "true");
  return node;
};

function open(store, level, code) {
  if (level === "lan") store.set({ view: "county", lan: code }, { replace: false });
  else store.set({ view: "overview", kommun: code, lan: "" }, { replace: false });
}

function controls(ctx, state, store, measures, levels) {
  const ind = el("select", { id: "nat-ind" }, ...measures.map((m) => el("option", { value: m.id, textContent: indicatorTitle(m), selected: m.id === state.nind })));
  ind.addEventListener("change", () => store.set({ nind: ind.value }));
  const level = el("select", { id: "nat-level" }, ...levels.map((l) => el("option", { value: l, textContent: t(l === "lan" ? "counties" : "municipalities"), selected: l === state.nlevel })));
  level.addEventListener("change", () => store.set({ nlevel: level.value }));
  return el("div", { className: "view-controls" },
    el("div", { className: "field" }, el("label", { htmlFor: "nat-ind", textContent: t("indicator") }), ind),
    el("div", { className: "field" }, el("label", { htmlFor: "nat-level", textContent: t("nat_level") }), level));
}

/** The name, value and class of the area under the pointer. */
function hover(ctx, props, point) {
  const tip = document.getElementById("nat-tooltip");
  const shown = ctx.national;
  const area = props && shown && shown.legend.areas[props.code];
  if (!area) { tip.hidden = true; return; }
  const row = area.class === null || area.class === undefined ? null : shown.legend.entries.filter((e) => e.kind === "class" || e.kind === "category")[area.class];
  const value = area.value === null || area.value === undefined ? t("no_data") : formatValue(area.value, shown.ind.unit, shown.ind.decimals, getLang());
  tip.replaceChildren(el("strong", { textContent: props.name || props.code }), el("div", { textContent: row ? `${value} (${row.label})` : value }));
  tip.style.left = `${point.x + 14}px`;
  tip.style.top = `${point.y + 14}px`;
  tip.hidden = false;
}

export async function renderNational(ctx, state, store) {
  const box = document.getElementById("view-national");
  const measures = SUMMARY.map((id) => ctx.indicators.get(id)).filter(Boolean);
  const levels = ["kommun", "lan"].filter((l) => ctx.catalog.levels.some((x) => x.id === l));
  const head = document.getElementById("nat-head");
  const empty = !measures.length || !levels.length;
  for (const part of box.querySelectorAll(".map-wrap, .below-map, .map-table")) part.hidden = empty;
  if (empty) {
    head.replaceChildren(el("h2", { textContent: t("view_national") }), el("p", { id: "nat-unavailable", textContent: t("not_available") }));
    box.dataset.rendered = "unavailable";
    return;
  }
  const ind = measures.find((m) => m.id === state.nind) || measures[0];
  const level = levels.includes(state.nlevel) ? state.nlevel : levels[0];
  const years = ctx.catalog.levels.find((l) => l.id === level).years;
  const year = years.includes(state.year) ? state.year : years[years.length - 1];
  const title = `${indicatorTitle(ind)} ${year}`;
  head.replaceChildren(headingWithHelp("h2", title, ctx.methods, ind.id, { id: "nat-title" }), controls(ctx, state, store, measures, levels));
  const [legend, tiles, areas] = await Promise.all([
    api.legend(level, ind.id, year, { lang: getLang(), method: state.method, classes: state.classes }),
    tileJSON(level),
    api.areas(level),
  ]);
  if (!ctx.nationalMap) {
    ctx.nationalMap = new MapView(document.getElementById("nat-map"), {
      onClick: (props) => open(store, ctx.nationalMap.level, props.code),
      onHover: (props, point) => hover(ctx, props, point),
    });
  }
  const view = ctx.nationalMap;
  ctx.national = { legend, ind };
  const fresh = view.level !== level;
  await view.addContext(ctx.catalog.levels.map((l) => l.id)); // borders and municipality names over the map
  await view.setLevel(level, tiles);
  const states = new Map(Object.entries(legend.areas).map(([code, a]) => [code, a.class ?? NO_DATA]));
  const colorOf = (kind, fallback) => (legend.entries.find((e) => e.kind === kind) || { color: fallback }).color;
  view.paint(states, legend.colors, { noData: colorOf("no_data", "#e6e6e6"), suppressed: colorOf("suppressed", "#b3b3b3") });
  view.map.getCanvas().setAttribute("aria-label", t("map_label", { title: legend.title }));
  view.map.resize();
  if (fresh && tiles && tiles.bounds) view.fit(tiles.bounds);

  const counts = new Map();
  for (const c of states.values()) counts.set(c, (counts.get(c) || 0) + 1);
  const classes = legend.entries.filter((e) => e.kind === "class" || e.kind === "category");
  const list = el("ul");
  for (const entry of legend.entries) {
    const state_ = entry.kind === "no_data" ? NO_DATA : entry.kind === "suppressed" ? SUPPRESSED : classes.indexOf(entry);
    const count = el("span", { className: "count", textContent: String(counts.get(state_) || 0), title: t("areas_n", { n: counts.get(state_) || 0 }) });
    list.append(el("li", {}, swatch(entry.color), el("span", { className: "label", textContent: entry.label }), count));
  }
  document.getElementById("nat-legend").replaceChildren(el("h3", { textContent: t("legend") }), list,
    el("p", { className: "note", textContent: [legend.scope, legend.source && `${t("source")}: ${legend.source}`].filter(Boolean).join(" · ") }));

  const names = new Map((areas || []).map((a) => [a.code, a.name]));
  const table = el("table", { id: "nat-table" }, el("caption", { textContent: legend.title }));
  const headRow = table.createTHead().insertRow();
  for (const key of [level === "lan" ? "county" : "municipality", "value", "class"]) headRow.appendChild(el("th", { scope: "col", textContent: t(key) }));
  const body = table.createTBody();
  const labelOf = (a) => (a.class === null || a.class === undefined ? t("no_data") : classes[a.class].label);
  const rows = Object.entries(legend.areas).map(([code, a]) => ({ code, name: names.get(code) || code, a }))
    .sort((x, y) => x.name.localeCompare(y.name, "sv"));
  for (const { code, name, a } of rows) {
    const tr = body.insertRow();
    tr.dataset.code = code;
    tr.appendChild(el("th", { scope: "row" }, el("button", { type: "button", className: "link", textContent: name,
      ariaLabel: t(level === "lan" ? "open_county" : "open_overview", { name }), onclick: () => open(store, level, code) })));
    tr.insertCell().textContent = a.value === null || a.value === undefined ? t("no_data") : formatValue(a.value, ind.unit, ind.decimals, getLang());
    tr.insertCell().append(swatch(a.class === null || a.class === undefined ? colorOf("no_data", "#e6e6e6") : legend.colors[a.class]), ` ${labelOf(a)}`);
  }
  document.getElementById("nat-table-box").replaceChildren(table);
  await view.idle();
  box.dataset.rendered = `${ind.id}:${level}:${year}:${getLang()}`;
}

