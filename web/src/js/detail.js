// The area detail panel: every indicator for the year against the municipality and Sweden, and a line
// chart of the chosen indicator over the years; with two or more areas selected, one chart and table.
import { api } from "./api.js";
import { loadValues, references, series } from "./data.js";
import { lineChart, SERIES_COLORS } from "./chart.js";
import { formatValue } from "./format.js";
import { t, getLang, indicatorTitle, areaTypeName } from "./i18n.js";
import { scrollTable } from "./dom.js";
import { derivedNote } from "./overview.js";

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

function cellText(ind, value) {
  if (value === null || value === undefined) return t("no_data");
  if (ind.kind === "category") return areaTypeName(value);
  return formatValue(value, ind.unit, ind.decimals, getLang());
}

async function areaNames(ctx, state) {
  const names = new Map(ctx.areas.map((a) => [a.code, a]));
  if (state.sel.some((c) => !names.has(c))) {
    for (const a of (await api.areas(state.level)) || []) if (state.sel.includes(a.code)) names.set(a.code, a);
  }
  return names;
}

export async function renderDetail(ctx, state, store) {
  const box = document.getElementById("detail");
  if (!state.sel.length) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const names = await areaNames(ctx, state);
  const codes = state.sel.filter((c) => names.has(c));
  if (!codes.length) { box.hidden = true; return; }
  const areaName = (c) => names.get(c).name;
  const kommuner = [...new Set(codes.map((c) => names.get(c).kommun))];
  const [tables, refs] = await Promise.all([
    Promise.all(kommuner.map((k) => loadValues(state.level, state.year, { kommun: k, breakdown: state.bd }))),
    references(state.year, state.kommun, state.bd),
  ]);
  const tableOf = (code) => tables[kommuner.indexOf(names.get(code).kommun)];
  const ind = ctx.indicators.get(state.ind);
  const [areaSeries, kommunSeries, riketSeries] = await Promise.all([
    series(state.level, state.ind, codes, state.bd),
    series("kommun", state.ind, [state.kommun], state.bd),
    series("riket", state.ind, ["SE"], state.bd),
  ]);
  const kommunName = (ctx.municipalities.get(state.kommun) || {}).name || state.kommun;

  const header = el("div", { className: "detail-head" },
    el("h2", { id: "detail-h", textContent: codes.length > 1 ? t("compare_areas") : `${areaName(codes[0])} (${codes[0]})` }),
    el("button", { type: "button", className: "close", textContent: "×", ariaLabel: t("close"), onclick: () => store.set({ sel: [] }) }));
  const chips = el("ul", { className: "chips" });
  for (const code of codes) {
    chips.appendChild(el("li", {}, areaName(code), " ", el("button", {
      type: "button", className: "chip-x", textContent: "×", ariaLabel: t("remove", { name: areaName(code) }),
      onclick: () => store.set({ sel: store.get().sel.filter((c) => c !== code) }),
    })));
  }
  const hint = el("p", { className: "note", textContent: t("add_hint") });

  const lines = codes.map((code, i) => ({ label: areaName(code), color: SERIES_COLORS[i % SERIES_COLORS.length], points: areaSeries[code] || [] }));
  const kommunPoints = Object.values(kommunSeries)[0];
  if (kommunPoints) lines.push({ label: `${t("kommun_value")} (${kommunName})`, color: "#555555", dash: true, points: kommunPoints });
  const riketPoints = Object.values(riketSeries)[0];
  if (riketPoints) lines.push({ label: t("riket_value"), color: "#999999", dash: true, points: riketPoints });
  const chartTitle = t("over_years", { title: `${indicatorTitle(ind)}${ind && ind.unit ? ` (${ind.unit})` : ""}` });
  const chart = lineChart(lines, { unit: ind ? ind.unit : "", decimals: ind ? ind.decimals : 1, lang: getLang(), title: chartTitle });

  const table = el("table", { className: "detail-table" });
  table.appendChild(el("caption", { textContent: t("all_indicators", { year: state.year }) }));
  const head = table.createTHead().insertRow();
  const columns = [t("indicator"), ...codes.map(areaName), t("kommun_value"), t("riket_value")];
  for (const text of columns) head.appendChild(el("th", { scope: "col", textContent: text }));
  const body = table.createTBody();
  let derived = false;
  for (const indicator of ctx.catalog.indicators) {
    const row = body.insertRow();
    if (indicator.id === state.ind) row.className = "current";
    row.appendChild(el("th", { scope: "row", textContent: indicatorTitle(indicator) }));
    for (const code of codes) {
      const vals = tableOf(code);
      const v = vals.value(code, indicator.id);
      row.insertCell().textContent = v === null && vals.status(code, indicator.id) === "suppressed" ? t("suppressed") : cellText(indicator, v);
    }
    for (const which of ["kommun", "riket"]) {
      const v = refs[which](indicator.id);
      const mark = v !== null && refs.derived(which, indicator.id);
      derived ||= mark;
      row.insertCell().textContent = `${cellText(indicator, v)}${mark ? " *" : ""}`;
    }
  }
  const notes = derived ? [el("p", { className: "note", textContent: derivedNote(ctx, state.kommun) })] : [];
  box.replaceChildren(header, chips, hint, el("h3", { textContent: chartTitle }), chart, scrollTable(table), ...notes);
  box.setAttribute("aria-labelledby", "detail-h");
  box.hidden = false;
  box.dataset.codes = codes.join(",");
}
