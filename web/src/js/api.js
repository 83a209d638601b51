// The JSON API, cached per URL. Endpoints that are missing answer null, so the page degrades gracefully.

const cache = new Map();

export async function getJSON(path, { optional = false } = {}) {
  if (!cache.has(path)) {
    cache.set(path, fetch(path, { headers: { Accept: "application/json" } }).then(async (response) => {
      if (!response.ok) {
        if (optional) return null;
        let detail = "";
        try { detail = (await response.json()).detail || ""; } catch { /* not JSON */ }
        throw new Error(`${response.status} ${path} ${detail}`);
      }
      return response.json();
    }).catch((error) => {
      cache.delete(path);
      if (optional) return null;
      throw error;
    }));
  }
  return cache.get(path);
}

const q = (params) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "" && v !== "total") search.set(k, v);
  const text = search.toString();
  return text ? `?${text}` : "";
};

export const api = {
  catalog: () => getJSON("api/catalog"),
  areas: (level, kommun) => getJSON(`api/areas/${level}${q({ kommun })}`),
  /** {values:{code:{ind:v}}, status?:{code:{ind:"missing"|"suppressed"}}} for one level and year. */
  values: (level, year, { kommun, breakdown } = {}) =>
    getJSON(`api/values/${level}/${year}${q({ kommun, breakdown })}`, { optional: true }),
  /** The legend of one map, with every area in scope: {title, unit, entries, colors, areas:{code:{value,class}}}. */
  legend: (level, indicator, year, params) => getJSON(`api/legend/${level}/${indicator}/${year}${q(params)}`),
  series: (level, indicator, codes, breakdown) =>
    getJSON(`api/series/${level}/${indicator}${q({ codes: codes.join(","), breakdown })}`, { optional: true }),
  omradestyper: (level, year, kommun) =>
    getJSON(`api/measures/omradestyper/${level}/${year}${q({ kommun })}`, { optional: true }),
  /** An indicator aggregated over the RegSO of each områdestyp in a scope, per year: {series:{type:[...]}, ...}. */
  perType: (indicator, scope, code, breakdown) =>
    getJSON(`api/measures/per_type/${indicator}${q({ scope, code: scope === "riket" ? "" : code, breakdown })}`),
  methods: () => getJSON("api/methods", { optional: true }),
  ojamlikhet: (kommun) => getJSON(`api/measures/ojamlikhet/${kommun}`, { optional: true }),
};

