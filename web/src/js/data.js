// Data access on top of the API: values of one map, reference values, and status of missing values.
import { api, getJSON } from "./api.js";

/** A value table: value(code, ind) → number|null, status(code, ind) → "ok"|"missing"|"suppressed". */
export class Values {
  constructor(response) {
    this.values = (response && response.values) || {};
    this.statusOf = (response && response.status) || {};
    this.derivedOf = (response && response.derived) || {};
  }
  /** True where Barometer computed the value from finer areas (it was not imported). */
  derived(code, ind) {
    return (this.derivedOf[code] || []).includes(ind);
  }
  value(code, ind) {
    const v = this.values[code] && this.values[code][ind];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  status(code, ind) {
    if (this.value(code, ind) !== null) return "ok";
    const s = this.statusOf[code] && this.statusOf[code][ind];
    return s === "suppressed" ? "suppressed" : "missing";
  }
  codes() {
    return Object.keys(this.values);
  }
}

export async function loadValues(level, year, { kommun = "", breakdown = "total" } = {}) {
  return new Values(await api.values(level, year, { kommun, breakdown }));
}

/** Values of the municipality, its county and Sweden for one year: {kommun, lan, riket}(ind) → number|null,
 * and derived(which, ind) → true where Barometer computed that value from finer areas. */
export async function references(year, kommun, breakdown = "total") {
  const [k, l, r] = await Promise.all([
    loadValues("kommun", year, { breakdown }),
    loadValues("lan", year, { breakdown }),
    loadValues("riket", year, { breakdown }),
  ]);
  const riketCode = r.codes()[0] || "SE";
  const at = { kommun: [k, kommun], lan: [l, kommun.slice(0, 2)], riket: [r, riketCode] };
  return {
    kommun: (ind) => k.value(kommun, ind),
    lan: (ind) => l.value(kommun.slice(0, 2), ind),
    riket: (ind) => r.value(riketCode, ind),
    derived: (which, ind) => at[which][0].derived(at[which][1], ind),
    code: (which) => at[which][1],
  };
}

/** One indicator over the years for some codes of a level: {code: [{year, value, status}]}. */
export async function series(level, ind, codes, breakdown) {
  if (!codes.length) return {};
  const data = await api.series(level, ind, codes, breakdown);
  return (data && data.series) || {};
}

/** The municipality's bounding box [w, s, e, n] (WGS 84) from the catalog, or null. */
export function municipalityBounds(catalog, kommun) {
  const entry = catalog.municipalities.find((m) => m.code === kommun);
  return entry && Array.isArray(entry.bbox) && entry.bbox.length === 4 ? entry.bbox : null;
}

export const tileJSON = (level) => getJSON(`tiles/${level}.json`, { optional: true });

/** County names by code (from the lan level's areas, fetched once), an empty map without that level. */
export async function lanNames(ctx) {
  if (!ctx.lanNames) {
    const list = ctx.catalog.levels.some((l) => l.id === "lan") ? await api.areas("lan") : [];
    ctx.lanNames = new Map((list || []).map((a) => [a.code, a.name]));
  }
  return ctx.lanNames;
}
