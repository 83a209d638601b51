// What each map shows, as the server classes it: /api/legend gives every area in scope with its mapped
// value and class (an index into the legend's colours), the colours and the legend rows, already labelled in
// the page's language. The page only tells suppressed from missing values (the status of /api/values) and
// counts the areas it draws; it never classes or colours a value itself.
import { api } from "./api.js";
import { references } from "./data.js";
import { formatValue } from "./format.js";
import { getLang, t } from "./i18n.js";

export const categoryIndicator = (catalog) => catalog.indicators.find((i) => i.kind === "category");

/** The breakdown an indicator is shown in: the one chosen where it has it, else its first with values. */
export function breakdownOf(ind, chosen) {
  const list = (ind && ind.breakdowns) || [];
  return list.includes(chosen) ? chosen : list[0] || "total";
}

/** Feature-state values of areas without a class: no data, and suppressed (too few persons). */
export const NO_DATA = -1;
export const SUPPRESSED = -2;

/** The query of /api/legend for one map. spec: {kind: value|change|deviation|types, year, yearA, ref, pooled}. */
export function legendParams(ctx, spec, ind) {
  const params = { method: ctx.method, classes: ctx.classes, lang: getLang() };
  if (ctx.scope !== "all") params.kommun = ctx.kommun;
  if (spec.kind !== "types") params.breakdown = breakdownOf(ind, ctx.breakdown);
  if (spec.kind === "change") params.since = spec.yearA;
  if (spec.kind === "deviation") params.deviation = spec.ref;
  if (spec.pooled) params.pooled = 1;
  return params;
}

/**
 * Build the metric of one map. ctx: {catalog, indicators, level, kommun, scope, breakdown, method, classes}.
 * Returns {ind, kind, year, title, unit, decimals, signed, categorical, byCode, states, colors, legend, ...}
 * where states maps each area in scope to its class, NO_DATA or SUPPRESSED.
 */
export async function buildMetric(ctx, spec) {
  const types = spec.kind === "types";
  const ind = types ? categoryIndicator(ctx.catalog) : ctx.indicators.get(spec.ind);
  const base = { ind, kind: spec.kind, year: spec.year, categorical: types, signed: spec.kind === "change" || spec.kind === "deviation" };
  if (!ind) {
    return { ...base, unavailable: true, title: t("types_title", { year: spec.year }), unit: "", decimals: 0,
      byCode: new Map(), states: new Map(), colors: [], legend: [], classRows: [], note: t("no_types") };
  }
  const params = legendParams(ctx, spec, ind);
  const breakdown = types ? "total" : params.breakdown;
  const [legend, values, reference] = await Promise.all([
    api.legend(ctx.level, ind.id, spec.year, params),
    api.values(ctx.level, spec.year, { kommun: params.kommun, breakdown }),
    spec.kind === "deviation" ? referenceValue(ctx, spec, ind) : null,
  ]);
  const status = (values && values.status) || {};
  const byCode = new Map();
  const states = new Map();
  for (const [code, area] of Object.entries(legend.areas)) {
    byCode.set(code, area.value);
    if (area.class !== null && area.class !== undefined) states.set(code, area.class);
    else states.set(code, status[code] && status[code][ind.id] === "suppressed" ? SUPPRESSED : NO_DATA);
  }
  const counts = new Map();
  for (const c of states.values()) counts.set(c, (counts.get(c) || 0) + 1);
  const classRows = legend.entries.filter((e) => e.kind === "class" || e.kind === "category");
  const stateOf = (entry) => (entry.kind === "suppressed" ? SUPPRESSED : entry.kind === "no_data" ? NO_DATA : classRows.indexOf(entry));
  const rows = legend.entries.map((entry) => ({ ...entry, state: stateOf(entry), count: counts.get(stateOf(entry)) || 0 }));
  const colorOf = (kind, fallback) => (legend.entries.find((e) => e.kind === kind) || { color: fallback }).color;
  return {
    ...base, title: legend.title, unit: legend.unit, decimals: types ? 0 : ind.decimals, source: legend.source,
    scope: legend.scope, byCode, states, colors: legend.colors, legend: rows,
    classRows: rows.filter((r) => r.state >= 0), reference,
    noDataColor: colorOf("no_data", "#e6e6e6"), suppressedColor: colorOf("suppressed", "#b3b3b3"),
    options: legend.options, params,
  };
}

/** The reference value a deviation map subtracts (the chosen municipality's, or Sweden's), formatted. */
async function referenceValue(ctx, spec, ind) {
  const refs = await references(spec.year, ctx.kommun, ctx.breakdown);
  const value = spec.ref === "riket" ? refs.riket(ind.id) : refs.kommun(ind.id);
  const name = spec.ref === "riket" ? t("riket_value") : t("kommun_value");
  return `${name} ${spec.year}: ${value === null ? t("not_available") : formatValue(value, ind.unit, ind.decimals, getLang())}`;
}

/** The legend row an area is drawn with, or null (outside the map's scope). */
export function rowOf(metric, code) {
  const state = metric.states.get(code);
  if (state === undefined) return null;
  return metric.legend.find((r) => r.state === state) || null;
}

/** Rank (1 = highest) of code among the municipality's areas with a value, and how many have one. */
export function rankOf(metric, code, areaCodes) {
  const own = metric.byCode.get(code);
  if (own === null || own === undefined || metric.categorical) return null;
  const present = areaCodes.map((c) => metric.byCode.get(c)).filter((v) => v !== null && v !== undefined);
  return { rank: present.filter((v) => v > own).length + 1, n: present.length };
}

/** An area's mapped value as text (a category's legend label), or null when it has none. */
export function formatMetric(metric, value) {
  if (value === null || value === undefined) return null;
  if (metric.categorical) {
    const row = metric.classRows.find((r) => r.category === value);
    return row ? row.label : String(value);
  }
  return formatValue(value, metric.unit, metric.decimals, getLang(), metric.signed);
}
