// The municipality overview: RegSO areas and population by områdestyp, the ojämlikhetsindex over time, and
// the municipality against its county and Sweden for the main indicators, each one click from the map.
import { api } from "./api.js";
import { references, series } from "./data.js";
import { lineChart } from "./chart.js";
import { formatNumber, formatValue } from "./format.js";
import { t, getLang, indicatorTitle } from "./i18n.js";
import { breakdownOf, categoryIndicator } from "./metrics.js";
import { scrollTable } from "./dom.js";
import { headingWithHelp, helpButton } from "./methods.js";

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

/** The områdestyper as the server's legend names and colours them: {rows: Map type → legend entry,
 * areaTypes: [the RegSO areas' types], areas: {code: {value}}} of the municipality (all areas without one);
 * null when the dataset has no områdestyp. */
export async function typeLegend(ctx, year, kommun) {
  const typeInd = categoryIndicator(ctx.catalog);
  if (!typeInd || !ctx.catalog.levels.some((l) => l.id === "regso")) return null;
  const legend = await api.legend("regso", typeInd.id, year, { kommun, lang: getLang() });
  const rows = new Map(legend.entries.filter((e) => e.kind === "category").map((e) => [e.category, e]));
  const areaTypes = Object.values(legend.areas).map((a) => a.value).filter((v) => v !== null);
  return { rows, areaTypes, areas: legend.areas };
}

/** [{type, areas, population}] from the measures endpoint, or counted from the RegSO areas' types. */
async function typeCounts(year, kommun, legend) {
  const data = await api.omradestyper("regso", year, kommun);
  const summary = data && data.by_municipality && (data.by_municipality.omradestyp_official || data.by_municipality.omradestyp);
  const own = Array.isArray(summary) && (summary.find((r) => r.kommun === kommun) || summary[0]);
  if (own) {
    return [1, 2, 3, 4, 5].map((type) => ({ type, areas: Number(own[`areas_${type}`] || 0), population: own[`population_${type}`] ?? null }));
  }
  if (!legend || !legend.areaTypes.length) return null;
  return [...legend.rows.keys()].map((type) => ({ type, areas: legend.areaTypes.filter((v) => v === type).length, population: null }));
}

/** {kommun, lan, riket} series [{year, value}] of the ojämlikhetsindex, from the measures endpoint or an
 * indicator of that name. */
async function inequality(ctx, kommun) {
  const data = ctx.indicators.has("income_quintile") ? await api.ojamlikhet(kommun) : null; // its counts
  if (data && data.series && !Array.isArray(data.series) && data.series.kommun) {
    const pick = (rows) => (rows || []).map((r) => ({ year: Number(r.year), value: r.value ?? null }));
    return { kommun: pick(data.series.kommun), lan: pick(data.series.lan), riket: pick(data.series.riket) };
  }
  if (data) {
    const rows = Array.isArray(data) ? data : data.series || data.values;
    if (Array.isArray(rows)) return { kommun: rows.map((r) => ({ year: Number(r.year), value: r.value ?? r.index ?? null })) };
    if (rows && typeof rows === "object") return { kommun: Object.entries(rows).map(([year, value]) => ({ year: Number(year), value })) };
  }
  const ind = ctx.catalog.indicators.find((i) => /ojamlik|inequality/.test(i.id));
  if (!ind) return null;
  const found = await series("kommun", ind.id, [kommun]);
  return found[kommun] ? { kommun: found[kommun] } : null;
}

function bar(rows, key, total, legend) {
  const box = el("div", { className: "stack" });
  box.setAttribute("aria-hidden", "true");
  for (const r of rows) {
    if (!r[key]) continue;
    const part = el("span");
    part.style.width = `${(100 * r[key]) / total}%`;
    part.style.background = typeColor(legend, r.type);
    part.title = `${typeName(legend, r.type)}: ${formatNumber((100 * r[key]) / total, 1, getLang())} %`;
    box.appendChild(part);
  }
  return box;
}

export const typeName = (legend, type) => (legend && legend.rows.has(type) ? legend.rows.get(type).label : String(type));
export const typeColor = (legend, type) => (legend && legend.rows.has(type) ? legend.rows.get(type).color : "transparent");

/** Bars and a table of RegSO areas and population by områdestyp: types [{type, areas, population|null}]. */
export function typeBreakdown(types, legend, lang) {
  const areasTotal = types.reduce((a, r) => a + r.areas, 0);
  const popKnown = types.every((r) => r.population !== null);
  const popTotal = popKnown ? types.reduce((a, r) => a + r.population, 0) : 0;
  const parts = [el("p", { className: "bar-label", textContent: t("areas_col") }), bar(types, "areas", areasTotal, legend)];
  if (popKnown && popTotal) parts.push(el("p", { className: "bar-label", textContent: t("population_col") }), bar(types, "population", popTotal, legend));
  const table = el("table");
  const head = table.createTHead().insertRow();
  for (const text of [t("type_col"), t("areas_col"), t("share_col"), ...(popKnown ? [t("population_col"), t("share_col")] : [])]) head.appendChild(el("th", { scope: "col", textContent: text }));
  const body = table.createTBody();
  for (const r of types) {
    const row = body.insertRow();
    row.dataset.type = String(r.type);
    const swatch = el("span", { className: "swatch" });
    swatch.style.background = typeColor(legend, r.type);
    row.appendChild(el("th", { scope: "row" }, swatch, ` ${typeName(legend, r.type)}`));
    row.insertCell().textContent = String(r.areas);
    row.insertCell().textContent = `${formatNumber(areasTotal ? (100 * r.areas) / areasTotal : NaN, 1, lang)} %`;
    if (popKnown) {
      row.insertCell().textContent = formatNumber(r.population, 0, lang);
      row.insertCell().textContent = `${formatNumber(popTotal ? (100 * r.population) / popTotal : NaN, 1, lang)} %`;
    }
  }
  parts.push(scrollTable(table, t("type_col")));
  return parts;
}

/** The note under values Barometer computed, with how much of the county and the country the data cover. */
export function derivedNote(ctx, kommun) {
  const coverage = ctx.catalog.coverage || {};
  const parts = [t("derived_note")];
  const lan = (coverage.lan || {})[kommun.slice(0, 2)];
  if (lan) parts.push(t("coverage", { name: t("lan_value"), n: lan[0], of: lan[1] }));
  const riket = Object.values(coverage.riket || {})[0];
  if (riket) parts.push(t("coverage", { name: t("riket_value"), n: riket[0], of: riket[1] }));
  return parts.join(" ");
}

export async function renderOverview(ctx, state, store) {
  const box = document.getElementById("view-overview");
  const lang = getLang();
  const kommun = ctx.municipalities.get(state.kommun) || { name: state.kommun, code: state.kommun };
  box.replaceChildren(el("p", { textContent: t("loading") }));
  const regsoYears = (ctx.catalog.levels.find((l) => l.id === "regso") || {}).years || ctx.catalog.years;
  const typeYear = regsoYears.includes(state.year) ? state.year : regsoYears[regsoYears.length - 1];
  const legend = typeYear ? await typeLegend(ctx, typeYear, state.kommun) : null;
  const shown = ctx.catalog.indicators.filter((i) => i.kind !== "category" && i.breakdowns.length)
    .sort((a, b) => (a.kind === "count") - (b.kind === "count")).slice(0, 12);
  const breakdowns = [...new Set(shown.map((i) => breakdownOf(i, "total")))];
  const [types, ineq, refsBy] = await Promise.all([
    typeYear ? typeCounts(typeYear, state.kommun, legend) : null,
    inequality(ctx, state.kommun),
    Promise.all(breakdowns.map((b) => references(state.year, state.kommun, b))),
  ]);
  const parts = [el("h2", { textContent: t("overview_h", { name: `${kommun.name} (${kommun.code})` }) }),
    el("button", { type: "button", className: "primary", textContent: t("show_on_map"), onclick: () => store.set({ view: "map" }, { replace: false }) })];

  const typeSection = el("section", { className: "card", id: "ov-types" }, headingWithHelp("h3", t("types_h", { year: typeYear }), ctx.methods, "omradestyp"));
  if (types) {
    typeSection.append(...typeBreakdown(types, legend, lang));
    typeSection.append(el("button", { type: "button", textContent: `${t("show_on_map")}: ${t("mode_types")}`, onclick: () => store.set({ view: "map", mode: "types", level: "regso" }, { replace: false }) }));
  } else typeSection.append(el("p", { textContent: t("not_available") }));
  parts.push(typeSection);

  const ineqSection = el("section", { className: "card", id: "ov-ojamlikhet" }, headingWithHelp("h3", t("ojamlikhet_h"), ctx.methods, "ojamlikhetsindex"));
  const points = ((ineq && ineq.kommun) || []).filter((p) => p.value !== null && p.value !== undefined);
  if (points.length) {
    points.sort((a, b) => a.year - b.year);
    const first = points[0];
    const last = points[points.length - 1];
    const lines = [{ label: kommun.name, points }];
    if (ineq.lan && ineq.lan.length) lines.push({ label: t("lan_value"), points: ineq.lan, color: "#555555", dash: true });
    if (ineq.riket && ineq.riket.length) lines.push({ label: t("riket_value"), points: ineq.riket, color: "#999999", dash: true });
    ineqSection.append(lineChart(lines, { decimals: 1, lang, title: t("ojamlikhet_h") }),
      el("p", { textContent: t("trend", { a: first.year, b: last.year, d: formatNumber(last.value - first.value, 1, lang, true) }) }));
  } else ineqSection.append(el("p", { textContent: t("not_available") }));
  parts.push(ineqSection);

  const mainSection = el("section", { className: "card", id: "ov-main" }, el("h3", { textContent: t("main_h", { year: state.year }) }));
  const table = el("table");
  const head = table.createTHead().insertRow();
  for (const text of [t("indicator"), kommun.name, t("lan_value"), t("riket_value"), ""]) head.appendChild(el("th", { scope: "col", textContent: text }));
  const body = table.createTBody();
  let derived = false;
  for (const ind of shown) {
    const refs = refsBy[breakdowns.indexOf(breakdownOf(ind, "total"))];
    const row = body.insertRow();
    row.appendChild(el("th", { scope: "row" }, el("span", { textContent: indicatorTitle(ind) }), helpButton(ctx.methods, ind.id)));
    for (const which of ["kommun", "lan", "riket"]) {
      const v = refs[which](ind.id);
      const mark = v !== null && refs.derived(which, ind.id);
      derived ||= mark;
      row.insertCell().textContent = v === null ? "–" : `${formatValue(v, ind.unit, ind.decimals, lang)}${mark ? " *" : ""}`;
    }
    row.insertCell().appendChild(el("button", {
      type: "button", className: "link", textContent: t("show_on_map"), ariaLabel: `${t("show_on_map")}: ${indicatorTitle(ind)}`,
      onclick: () => store.set({ view: "map", ind: ind.id, mode: "value" }, { replace: false }),
    }));
  }
  mainSection.append(scrollTable(table, t("main_h", { year: state.year })));
  if (derived) mainSection.append(el("p", { className: "note", textContent: derivedNote(ctx, state.kommun) }));
  parts.push(mainSection);
  box.replaceChildren(...parts);
  box.dataset.rendered = state.kommun;
}
