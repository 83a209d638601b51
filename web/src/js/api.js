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
  series: (level, indicator, codes, breakdown) =>
    getJSON(`api/series/${level}/${indicator}${q({ codes: codes.join(","), breakdown })}`, { optional: true }),
  omradestyper: (level, year, kommun) =>
    getJSON(`api/measures/omradestyper/${level}/${year}${q({ kommun })}`, { optional: true }),
  ojamlikhet: (kommun) => getJSON(`api/measures/ojamlikhet/${kommun}`, { optional: true }),
};

/** The reference value (municipality, county, country) of one indicator, or null. */
export async function referenceValues(level, year, code, breakdown) {
  const data = await api.values(level, year, { breakdown });
  if (!data || !data.values) return null;
  if (level === "riket") return data.values[code] || Object.values(data.values)[0] || null;
  return data.values[code] || null;
}
