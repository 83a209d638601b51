// What each map shows: values per area, their classes and colours, and the legend rows.
import { classify, classIndex } from "./classify.js";
import { colorsFor, defaultPalette, areaTypeColors, NO_DATA, SUPPRESSED } from "./palettes.js";
import { loadValues, references } from "./data.js";
import { formatNumber, formatValue } from "./format.js";
import { t, getLang, indicatorTitle, areaTypeName } from "./i18n.js";

export const categoryIndicator = (catalog) => catalog.indicators.find((i) => i.kind === "category");

function classLabels(cls, unit, decimals, signed) {
  const lang = getLang();
  return cls.counts.map((_, i) => {
    const lo = formatNumber(cls.breaks[i], decimals, lang, signed);
    const hi = formatNumber(cls.breaks[i + 1], decimals, lang, signed);
    const text = lo === hi ? lo : `${lo} – ${hi}`;
    return unit ? `${text}\u00a0${unit}` : text;
  });
}

/** Turn per-area values and statuses into map states, class counts and legend rows. */
function finish(metric, cls, colors, labels) {
  const states = new Map();
  const counts = new Array(colors.length).fill(0);
  let missing = 0;
  let suppressed = 0;
  for (const code of metric.codes) {
    const v = metric.byCode.get(code);
    let c;
    if (v === null || v === undefined) c = metric.statusBy.get(code) === "suppressed" ? -2 : -1;
    else c = metric.categorical ? cls.categories.indexOf(v) : classIndex(v, cls.thresholds);
    if (c === -1) missing += 1;
    else if (c === -2) suppressed += 1;
    else if (c >= 0) counts[c] += 1;
    else c = -1;
    states.set(code, c);
  }
  const legend = colors.map((color, i) => ({ color, label: labels[i], count: counts[i] }));
  legend.push({ color: NO_DATA, label: t("no_data"), count: missing, pattern: "hatch" });
  if (suppressed || metric.hasStatus) legend.push({ color: SUPPRESSED, label: t("suppressed"), count: suppressed, pattern: "dots" });
  return { ...metric, classification: cls, colors, states, legend };
}

function collect(codes, valueOf, statusOf) {
  const byCode = new Map();
  const statusBy = new Map();
  for (const code of codes) {
    const v = valueOf(code);
    byCode.set(code, v);
    statusBy.set(code, v === null ? statusOf(code) : "ok");
  }
  return { byCode, statusBy };
}

/**
 * Build the metric of one map. spec: {kind: value|change|deviation|types, ind, year, yearA, ref, poolYears}.
 * ctx: {catalog, indicators, level, kommun, scope, breakdown, method, classes, areaCodes}.
 */
export async function buildMetric(ctx, spec) {
  const { level, kommun, breakdown } = ctx;
  const scopeKommun = ctx.scope === "all" ? "" : kommun;
  const ind = ctx.indicators.get(spec.ind);
  const unit = ind ? ind.unit : "";
  const decimals = ind ? ind.decimals : 1;
  const load = (year, bd = breakdown) => loadValues(level, year, { kommun: scopeKommun, breakdown: bd });
  const allCodes = (vals) => (scopeKommun ? ctx.areaCodes : [...new Set([...ctx.areaCodes, ...vals.codes()])]);
  const base = { ind, unit, decimals, signed: false, categorical: false, kind: spec.kind, year: spec.year };

  if (spec.kind === "types") {
    const typeInd = categoryIndicator(ctx.catalog);
    const vals = typeInd ? await load(spec.year, "total") : null;
    const codes = vals ? allCodes(vals) : ctx.areaCodes;
    const { byCode, statusBy } = collect(codes, (c) => (vals ? vals.value(c, typeInd.id) : null), (c) => (vals ? vals.status(c, typeInd.id) : "missing"));
    const metric = { ...base, ind: typeInd, unit: "", decimals: 0, categorical: true, codes, byCode, statusBy,
      title: t("types_title", { year: spec.year }), unavailable: !typeInd, format: (v) => areaTypeName(v) };
    const cls = { categories: [1, 2, 3, 4, 5], thresholds: [] };
    return finish(metric, cls, areaTypeColors(), [1, 2, 3, 4, 5].map(areaTypeName));
  }

  if (spec.kind === "change") {
    const [a, b] = await Promise.all([load(spec.yearA), load(spec.year)]);
    const codes = allCodes(b);
    const { byCode, statusBy } = collect(codes, (c) => {
      const va = a.value(c, spec.ind);
      const vb = b.value(c, spec.ind);
      return va === null || vb === null ? null : vb - va;
    }, (c) => (a.status(c, spec.ind) === "suppressed" || b.status(c, spec.ind) === "suppressed" ? "suppressed" : "missing"));
    const inScope = codes.map((c) => byCode.get(c));
    const cls = classify(inScope, "diverging", ctx.classes, { centre: 0 });
    const colors = colorsFor(defaultPalette(ind.direction, true), cls.k, ind.direction);
    const metric = { ...base, signed: true, codes, byCode, statusBy, hasStatus: Object.keys(b.statusOf).length > 0,
      title: `${indicatorTitle(ind)}: ${t("change", { a: spec.yearA, b: spec.year })}` };
    return finish(metric, cls, colors, classLabels(cls, unit, decimals, true));
  }

  if (spec.kind === "deviation") {
    const vals = await load(spec.year);
    const codes = allCodes(vals);
    const refs = await references(spec.year, kommun, breakdown);
    let ref = spec.ref === "riket" ? refs.riket(spec.ind) : refs.kommun(spec.ind);
    const refName = spec.ref === "riket" ? t("riket_value") : t("kommun_value");
    const { byCode, statusBy } = collect(codes, (c) => {
      const v = vals.value(c, spec.ind);
      return v === null || ref === null ? null : v - ref;
    }, (c) => vals.status(c, spec.ind));
    const cls = classify(codes.map((c) => byCode.get(c)), "diverging", ctx.classes, { centre: 0 });
    const colors = colorsFor(defaultPalette(ind.direction, true), cls.k, ind.direction);
    const refText = ref === null ? t("not_available") : formatValue(ref, unit, decimals, getLang());
    const metric = { ...base, signed: true, codes, byCode, statusBy, reference: ref,
      title: `${indicatorTitle(ind)}: ${t("deviation_from", { ref: `${refName} (${refText})` })}` };
    return finish(metric, cls, colors, classLabels(cls, unit, decimals, true));
  }

  // value
  const vals = await load(spec.year);
  const codes = allCodes(vals);
  const { byCode, statusBy } = collect(codes, (c) => vals.value(c, spec.ind), (c) => vals.status(c, spec.ind));
  let pool = codes.map((c) => byCode.get(c));
  if (spec.poolYears && spec.poolYears.length) {
    const others = await Promise.all(spec.poolYears.filter((y) => y !== spec.year).map((y) => load(y)));
    for (const other of others) pool = pool.concat(codes.map((c) => other.value(c, spec.ind)));
  }
  const cls = classify(pool, ctx.method, ctx.classes);
  const colors = colorsFor(defaultPalette(ind ? ind.direction : "neutral"), cls.k, ind ? ind.direction : "neutral");
  const metric = { ...base, codes, byCode, statusBy, hasStatus: Object.keys(vals.statusOf).length > 0,
    title: `${indicatorTitle(ind)} ${spec.year}` };
  return finish(metric, cls, colors, classLabels(cls, unit, decimals, false));
}

/** Rank (1 = highest) of code among the municipality's areas with a value, and how many have one. */
export function rankOf(metric, code, areaCodes) {
  const own = metric.byCode.get(code);
  if (own === null || own === undefined || metric.categorical) return null;
  const present = areaCodes.map((c) => metric.byCode.get(c)).filter((v) => v !== null && v !== undefined);
  return { rank: present.filter((v) => v > own).length + 1, n: present.length };
}

export function formatMetric(metric, value) {
  if (value === null || value === undefined) return null;
  if (metric.categorical) return areaTypeName(value);
  return formatValue(value, metric.unit, metric.decimals, getLang(), metric.signed);
}
