// The whole UI state, kept in the URL (the permalink) with short keys.

const KEYS = {
  lang: "l", view: "v", kommun: "k", level: "lv", ind: "i", year: "y", bd: "b", mode: "m", yearA: "ya",
  ind2: "i2", ref: "r", method: "cm", classes: "n", scope: "s", pooled: "p", sel: "a", tind: "ti",
  tyears: "ty", at: "at", pscope: "ps", nind: "ni", nlevel: "nl", lan: "ln",
};
const LISTS = new Set(["sel", "tind", "tyears"]);
const NUMBERS = new Set(["year", "yearA", "classes"]);

export const VIEWS = ["map", "overview", "county", "pertype", "national", "table"];
export const PER_TYPE_SCOPES = ["riket", "lan", "kommun"];
export const MODES = ["value", "change", "deviation", "types", "years", "indicators"];
export const METHODS = ["quantiles", "equal_interval", "natural_breaks", "std_mean"];

export function defaults() {
  return {
    lang: "sv",
    view: "map", kommun: "", level: "", ind: "", year: 0, bd: "total", mode: "value", yearA: 0, ind2: "",
    ref: "kommun", method: "quantiles", classes: 5, scope: "kommun", pooled: "0", sel: [], tind: [],
    tyears: [], at: "", pscope: "lan", nind: "ojamlikhetsindex", nlevel: "kommun", lan: "",
  };
}

/** The county a view shows: the one chosen (from the map of Sweden), else the municipality's. */
export const countyOf = (state) => state.lan || state.kommun.slice(0, 2);

export function parse(search) {
  const params = new URLSearchParams(search);
  const state = defaults();
  for (const [name, key] of Object.entries(KEYS)) {
    const raw = params.get(key);
    if (raw === null || raw === "") continue;
    if (LISTS.has(name)) state[name] = raw.split(",").filter(Boolean);
    else if (NUMBERS.has(name)) state[name] = Number.parseInt(raw, 10) || 0;
    else state[name] = raw;
  }
  if (!VIEWS.includes(state.view)) state.view = "map";
  if (!MODES.includes(state.mode)) state.mode = "value";
  if (!METHODS.includes(state.method)) state.method = "quantiles";
  if (!PER_TYPE_SCOPES.includes(state.pscope)) state.pscope = "lan";
  if (state.nlevel !== "lan") state.nlevel = "kommun";
  if (!/^\d{2}$/.test(state.lan)) state.lan = ""; // a county code, else the municipality's county
  state.classes = Math.min(9, Math.max(2, state.classes || 5));
  return state;
}

export function serialize(state, { omit = [] } = {}) {
  const base = defaults();
  const params = new URLSearchParams();
  for (const [name, key] of Object.entries(KEYS)) {
    if (omit.includes(name)) continue;
    let value = state[name];
    if (LISTS.has(name)) value = (value || []).join(",");
    if (value === "" || value === undefined || value === null || value === 0) continue;
    if (!LISTS.has(name) && value === base[name] && name !== "lang") continue;
    params.set(key, String(value));
  }
  return params.toString();
}

/** A tiny observable store: set() merges, notifies, and writes the URL. */
export function createStore(initial, { writeUrl = true } = {}) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get: () => state,
    set(patch, { replace = true, silent = false, url = true } = {}) {
      const before = state;
      state = { ...state, ...patch };
      if (writeUrl && url) {
        const url = `${location.pathname}?${serialize(state)}`;
        if (replace) history.replaceState(null, "", url);
        else history.pushState(null, "", url);
      }
      if (!silent) for (const listener of listeners) listener(state, before);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
