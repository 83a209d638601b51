// The Barometer web map: controls, the map(s), legend, hover, area details, and the other views.
import { api } from "./api.js";
import { parse, createStore, serialize, VIEWS } from "./state.js";
import { t, setLang, getLang, applyI18n, indicatorTitle, indicatorDescription, breakdownLabel, domainName, setBreakdownLabels } from "./i18n.js";
import { MapView } from "./mapview.js";
import { buildMetric, rankOf, formatMetric, rowOf, categoryIndicator } from "./metrics.js";
import { municipalityBounds, tileJSON } from "./data.js";
import { renderDetail } from "./detail.js";
import { renderOverview } from "./overview.js";
import { renderTable } from "./table.js";
import { renderCounty } from "./county.js";
import { renderPerType } from "./pertype.js";
import { renderNational } from "./national.js";
import { helpButton } from "./methods.js";
import { setupShare } from "./share.js";

const $ = (id) => document.getElementById(id);
const EMBED = document.body.dataset.mode === "embed" || /\/embed\/?$/.test(location.pathname);
const SIDE_BY_SIDE = new Set(["years", "indicators"]);

const ctx = { catalog: null, indicators: new Map(), municipalities: new Map(), maps: [], metrics: [], areas: [], methods: null, lanNames: null };
let store;
let renderToken = 0;

function option(value, label, selected) {
  const node = document.createElement("option");
  node.value = String(value);
  node.textContent = label;
  if (selected) node.selected = true;
  return node;
}

function domainLabel(domain) {
  const entry = (ctx.catalog.domains || {})[domain];
  if (entry && typeof entry === "object") return entry[getLang()] || domain;
  return domainName(domain);
}

/** The indicators that can be mapped (numbers with values, not the områdestyp category). */
function mappable() {
  return ctx.catalog.indicators.filter((i) => i.kind !== "category" && i.breakdowns.length);
}

function levelYears(level) {
  const entry = ctx.catalog.levels.find((l) => l.id === level);
  return entry && entry.years.length ? entry.years : ctx.catalog.years;
}

function indicatorSelect(select, selected) {
  select.replaceChildren();
  const groups = new Map();
  for (const ind of mappable()) {
    if (!groups.has(ind.domain)) groups.set(ind.domain, []);
    groups.get(ind.domain).push(ind);
  }
  for (const [domain, list] of groups) {
    const group = document.createElement("optgroup");
    group.label = domainLabel(domain);
    for (const ind of list) group.appendChild(option(ind.id, indicatorTitle(ind), ind.id === selected));
    select.appendChild(group);
  }
}

/** Fill in what the URL left open, and repair what the dataset does not have: from the catalog's default
 * view (the dataset's own, or a municipality, level, indicator and year that have values). */
function complete(state) {
  const cat = ctx.catalog;
  const first = cat.default_view || {};
  const patch = {};
  const levels = cat.levels.map((l) => l.id).filter((l) => l === "deso" || l === "regso");
  if (!levels.includes(state.level)) patch.level = levels.includes(first.level) ? first.level : levels[0] || "deso";
  const level = patch.level || state.level;
  if (!ctx.municipalities.has(state.kommun)) {
    patch.kommun = ctx.municipalities.has(first.kommun) ? first.kommun : cat.municipalities[0] ? cat.municipalities[0].code : "";
  }
  const inds = mappable();
  if (!inds.length && state.mode !== "types" && categoryIndicator(cat)) patch.mode = "types"; // only types
  const usable = (id) => inds.some((i) => i.id === id);
  if (!usable(state.ind)) patch.ind = usable(first.indicator) ? first.indicator : inds[0] ? inds[0].id : "";
  const indId = patch.ind || state.ind;
  if (!usable(state.ind2) || state.ind2 === indId) {
    const other = inds.find((i) => i.id !== indId);
    patch.ind2 = other ? other.id : indId;
  }
  const years = levelYears(level);
  if (!years.includes(state.year)) {
    const own = indId === first.indicator && level === first.level && years.includes(first.year);
    patch.year = own ? first.year : years[years.length - 1];
  }
  if (!years.includes(state.yearA) || state.yearA === (patch.year || state.year)) patch.yearA = years[0] === (patch.year || state.year) ? years[years.length - 1] : years[0];
  const ind = ctx.indicators.get(indId);
  if (ind && !ind.breakdowns.includes(state.bd)) patch.bd = ind.breakdowns[0] || "total";
  return { ...state, ...patch };
}

function renderControls(state) {
  const cat = ctx.catalog;
  applyI18n();
  document.title = `Barometer · ${indicatorTitle(ctx.indicators.get(state.ind))}`;
  $("dataset-title").textContent = cat.title || "";
  $("lang-btn").textContent = t("other_lang");
  $("lang-btn").lang = getLang() === "sv" ? "en" : "sv";
  for (const button of document.querySelectorAll("[data-view]")) {
    const active = button.dataset.view === state.view;
    button.setAttribute("aria-current", active ? "page" : "false");
  }
  const kommun = ctx.municipalities.get(state.kommun);
  const input = $("kommun-input");
  if (document.activeElement !== input) input.value = kommun ? `${kommun.name} (${kommun.code})` : "";
  const levelSelect = $("level-select");
  levelSelect.replaceChildren(...cat.levels.filter((l) => l.id === "deso" || l.id === "regso")
    .map((l) => option(l.id, l.id === "deso" ? "DeSO" : "RegSO", l.id === state.level)));
  indicatorSelect($("ind-select"), state.ind);
  indicatorSelect($("ind2-select"), state.ind2);
  const ind = ctx.indicators.get(state.ind);
  const desc = $("ind-desc");
  desc.replaceChildren();
  if (ind) {
    const p = document.createElement("span");
    p.textContent = indicatorDescription(ind);
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [ind.unit && `${t("unit")}: ${ind.unit}`, ind.source && `${t("source")}: ${ind.source}`].filter(Boolean).join(" · ");
    desc.append(p, meta);
  }
  const bds = ind && ind.breakdowns.length ? ind.breakdowns : ["total"];
  $("bd-field").hidden = bds.length < 2;
  $("bd-select").replaceChildren(...bds.map((b) => option(b, breakdownLabel(b), b === state.bd)));
  const years = levelYears(state.level);
  const range = $("year-range");
  range.min = years[0];
  range.max = years[years.length - 1];
  range.step = 1;
  range.value = state.year;
  range.setAttribute("aria-valuetext", String(state.year));
  $("year-out").textContent = state.year;
  $("play-btn").textContent = playing ? `⏸ ${t("pause")}` : `▶ ${t("play")}`;
  $("play-btn").setAttribute("aria-pressed", String(playing));
  $("mode-select").value = state.mode;
  for (const opt of $("mode-select").options) opt.textContent = t(`mode_${opt.value}`);
  $("yeara-field").hidden = !(state.mode === "change" || state.mode === "years");
  $("yeara-select").replaceChildren(...years.map((y) => option(y, String(y), y === state.yearA)));
  $("ind2-field").hidden = state.mode !== "indicators";
  $("ref-field").hidden = state.mode !== "deviation";
  $("ref-select").value = state.ref;
  $("method-select").value = state.method;
  $("classes-select").value = String(state.classes);
  $("scope-select").value = state.scope;
  $("pooled-check").checked = state.pooled === "1";
  $("ind-help").replaceChildren(helpButton(ctx.methods, state.ind));
  for (const view of VIEWS) $(`view-${view}`).hidden = view !== state.view;
  document.body.dataset.page = state.view; // the CSS hides the choices a view does not use
  $("open-full").href = `./?${serialize(state)}`;
}

// ---- the map view -------------------------------------------------------------------------------------

function ensureMaps(count) {
  while (ctx.maps.length < count) {
    const index = ctx.maps.length;
    const container = $(index === 0 ? "map-a" : "map-b");
    const view = new MapView(container, {
      label: t("map_label", { title: "" }),
      onHover: (props, point) => showTooltip(index, props, point),
      onClick: (props, add) => selectArea(props.code, add),
      onMove: (map) => {
        if (syncing) return;
        syncing = true;
        for (const other of ctx.maps) if (other.map !== map) other.map.jumpTo({ center: map.getCenter(), zoom: map.getZoom() });
        syncing = false;
        if (index === 0) {
          const c = map.getCenter();
          store.set({ at: `${c.lng.toFixed(4)},${c.lat.toFixed(4)},${map.getZoom().toFixed(2)}` }, { silent: true });
        }
      },
    });
    ctx.maps.push(view);
  }
}
let syncing = false;

/** The maps of a mode: one, or two side by side (two years always share pooled classes). */
function specs(state) {
  const pooled = state.pooled === "1";
  switch (state.mode) {
    case "change": return [{ kind: "change", ind: state.ind, year: state.year, yearA: state.yearA }];
    case "deviation": return [{ kind: "deviation", ind: state.ind, year: state.year, ref: state.ref }];
    case "types": return [{ kind: "types", year: state.year }];
    case "years": return [{ kind: "value", ind: state.ind, year: state.yearA, pooled: true },
      { kind: "value", ind: state.ind, year: state.year, pooled: true }];
    case "indicators": return [{ kind: "value", ind: state.ind, year: state.year, pooled },
      { kind: "value", ind: state.ind2, year: state.year, pooled }];
    default: return [{ kind: "value", ind: state.ind, year: state.year, pooled }];
  }
}

async function renderMap(state, before) {
  const token = ++renderToken;
  const two = SIDE_BY_SIDE.has(state.mode);
  // ask for everything the map needs first: creating a map blocks the page while WebGL sets up
  const mctx = { catalog: ctx.catalog, indicators: ctx.indicators, level: state.level, kommun: state.kommun,
    scope: state.scope, breakdown: state.bd, method: state.method, classes: state.classes };
  const levels = ctx.catalog.levels.map((l) => l.id);
  const tilejson = tileJSON(state.level);
  for (const level of ["kommun", "lan"]) if (levels.includes(level)) tileJSON(level); // the borders' (cached)
  const values = Promise.all([
    api.areas(state.level, state.kommun).then((list) => list || []),
    Promise.all(specs(state).map((spec) => buildMetric(mctx, spec))),
  ]);
  $("map-b-wrap").hidden = !two;
  $("view-map").classList.toggle("two", two);
  ensureMaps(two ? 2 : 1);
  const kommunChanged = !before || before.kommun !== state.kommun || before.level !== state.level;
  if (kommunChanged) { // move first (the catalog knows the extent), so tiles load while the legend does
    const at = (!before && state.at ? state.at.split(",").map(Number) : []);
    if (at.length === 3 && at.every(Number.isFinite)) ctx.maps[0].map.jumpTo({ center: [at[0], at[1]], zoom: at[2] });
    else ctx.maps[0].fit(municipalityBounds(ctx.catalog, state.kommun), Boolean(before));
  }
  const tiles = Promise.all(ctx.maps.map(async (view) => { // the geometry loads while the legend and values do
    view.setKommun(state.kommun);
    await view.addContext(levels);
    await view.setLevel(state.level, await tilejson);
  }));
  const [[areas, metrics]] = await Promise.all([values, tiles]);
  if (token !== renderToken) return;
  ctx.areas = areas;
  ctx.metrics = metrics;
  for (const [i, metric] of metrics.entries()) {
    const view = ctx.maps[i];
    view.paint(metric.states, metric.colors, { noData: metric.noDataColor, suppressed: metric.suppressedColor });
    view.setSelected(state.sel);
    view.map.getCanvas().setAttribute("aria-label", t("map_label", { title: metric.title }));
    $(i === 0 ? "map-a-label" : "map-b-label").textContent = metric.title;
  }
  for (const view of ctx.maps) view.map.resize();
  if (two) ctx.maps[1].map.jumpTo({ center: ctx.maps[0].map.getCenter(), zoom: ctx.maps[0].map.getZoom() });
  const kommun = ctx.municipalities.get(state.kommun);
  $("map-title").textContent = `${metrics.map((m) => m.title).join(" | ")} · ${kommun ? kommun.name : ""}`;
  renderLegend(metrics, state);
  renderMapTable(metrics[0], state);
  if (!document.body.dataset.ready) ctx.maps[0].idle().then(() => { document.body.dataset.drawnAt = String(Math.round(performance.now())); });
  document.body.dataset.ready = "1";
  $("view-map").dataset.rendered = `${state.mode}:${state.ind}:${state.year}:${state.kommun}:${state.level}`;
}

function swatch(entry) {
  const node = document.createElement("span");
  node.className = `swatch${entry.pattern ? ` ${entry.pattern}` : ""}`;
  node.style.backgroundColor = entry.color;
  node.setAttribute("aria-hidden", "true");
  return node;
}

function renderLegend(metrics, state) {
  const box = $("legend");
  box.replaceChildren();
  const heading = document.createElement("h2");
  heading.id = "legend-h";
  heading.textContent = t("legend");
  box.appendChild(heading);
  metrics.forEach((metric) => {
    const block = document.createElement("div");
    block.className = "legend-block";
    const title = document.createElement("h3");
    title.textContent = metric.title;
    block.appendChild(title);
    const list = document.createElement("ul");
    for (const entry of metric.legend) {
      const item = document.createElement("li");
      item.dataset.kind = entry.kind;
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = entry.label;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = String(entry.count);
      count.title = t("areas_n", { n: entry.count });
      item.append(swatch(entry), label, count);
      list.appendChild(item);
    }
    block.appendChild(list);
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = metric.unavailable ? metric.note
      : [metric.reference, metric.scope, metric.source && !metric.categorical && `${t("source")}: ${metric.source}`].filter(Boolean).join(" · ");
    block.appendChild(note);
    if (!metric.unavailable) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(metric.params)) if (value !== undefined && value !== "" && value !== "total") query.set(key, value);
      const link = document.createElement("a");
      link.className = "download";
      link.href = `maps/${state.level}/${metric.ind.id}/${metric.year}.png?${query}`;
      link.download = `barometer_${state.kommun}_${metric.ind.id}_${metric.year}.png`;
      link.textContent = t("download_png");
      block.appendChild(link);
    }
    box.appendChild(block);
  });
}

function renderMapTable(metric, state) {
  const box = $("map-table");
  const table = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = metric.title;
  table.appendChild(caption);
  const head = table.createTHead().insertRow();
  for (const key of ["area", "code", "value", "class"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = t(key);
    head.appendChild(th);
  }
  const body = table.createTBody();
  const rows = [...ctx.areas].sort((a, b) => a.name.localeCompare(b.name, "sv"));
  for (const area of rows) {
    const tr = body.insertRow();
    const name = document.createElement("th");
    name.scope = "row";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = area.name;
    button.setAttribute("aria-label", t("details", { name: area.name }));
    button.addEventListener("click", (e) => selectArea(area.code, e.shiftKey));
    name.appendChild(button);
    tr.appendChild(name);
    tr.insertCell().textContent = area.code;
    const entry = rowOf(metric, area.code);
    tr.insertCell().textContent = formatMetric(metric, metric.byCode.get(area.code)) ?? (entry && entry.state < 0 ? entry.label : t("no_data"));
    const cell = tr.insertCell();
    if (entry) cell.append(swatch(entry), document.createTextNode(` ${entry.label}`));
  }
  box.replaceChildren(table);
}

function showTooltip(index, props, point) {
  const tip = $("tooltip");
  if (!props) { tip.hidden = true; return; }
  const metric = ctx.metrics[index];
  if (!metric) return;
  const row = rowOf(metric, props.code);
  tip.replaceChildren();
  const name = document.createElement("strong");
  name.textContent = props.name || props.code;
  tip.appendChild(name);
  const value = document.createElement("div");
  value.className = "tip-value";
  if (!row) value.textContent = t("outside");
  else value.textContent = formatMetric(metric, metric.byCode.get(props.code)) ?? row.label;
  tip.appendChild(value);
  const rank = props.kommun === store.get().kommun ? rankOf(metric, props.code, ctx.areas.map((a) => a.code)) : null;
  if (rank) {
    const r = document.createElement("div");
    r.className = "tip-rank";
    r.textContent = t("rank", { r: rank.rank, n: rank.n });
    tip.appendChild(r);
  }
  const container = $(index === 0 ? "map-a" : "map-b").getBoundingClientRect();
  const host = $("view-map").getBoundingClientRect();
  tip.style.left = `${Math.min(container.left - host.left + point.x + 14, host.width - 220)}px`;
  tip.style.top = `${container.top - host.top + point.y + 14}px`;
  tip.hidden = false;
}

function selectArea(code, add) {
  const state = store.get();
  let sel;
  if (add) sel = state.sel.includes(code) ? state.sel.filter((c) => c !== code) : [...state.sel, code];
  else sel = state.sel.length === 1 && state.sel[0] === code ? [] : [code];
  store.set({ sel });
}

// ---- wiring -------------------------------------------------------------------------------------------

let playing = false;
let playTimer = null;

function togglePlay() {
  playing = !playing;
  clearInterval(playTimer);
  if (playing) {
    playTimer = setInterval(() => {
      const state = store.get();
      const years = levelYears(state.level);
      const next = years[(years.indexOf(state.year) + 1) % years.length];
      store.set({ year: next });
    }, 1400);
  }
  renderControls(store.get());
}

function resolveKommun(text) {
  const q = text.trim().toLowerCase();
  if (!q) return null;
  const list = ctx.catalog.municipalities;
  const paren = q.match(/\((\d{4})\)\s*$/);
  if (paren) return list.find((m) => m.code === paren[1]) || null;
  return list.find((m) => m.code === q) || list.find((m) => m.name.toLowerCase() === q)
    || list.find((m) => m.name.toLowerCase().startsWith(q)) || list.find((m) => m.name.toLowerCase().includes(q)) || null;
}

function wire() {
  const on = (id, event, fn) => $(id).addEventListener(event, fn);
  on("kommun-input", "change", (e) => {
    const found = resolveKommun(e.target.value);
    const error = $("kommun-error");
    if (!found) {
      error.textContent = t("kommun_unknown", { q: e.target.value });
      error.hidden = false;
      return;
    }
    error.hidden = true;
    e.target.value = `${found.name} (${found.code})`;
    store.set({ kommun: found.code, sel: [], at: "", lan: "" }, { replace: false });
  });
  on("kommun-input", "keydown", (e) => {
    if (e.key === "Enter") e.target.dispatchEvent(new Event("change"));
  });
  on("level-select", "change", (e) => store.set(complete({ ...store.get(), level: e.target.value, sel: [] })));
  on("ind-select", "change", (e) => store.set(complete({ ...store.get(), ind: e.target.value })));
  on("ind2-select", "change", (e) => store.set(complete({ ...store.get(), ind2: e.target.value })));
  on("bd-select", "change", (e) => store.set({ bd: e.target.value }));
  on("year-range", "input", (e) => store.set({ year: Number(e.target.value) }));
  on("play-btn", "click", togglePlay);
  on("mode-select", "change", (e) => store.set(complete({ ...store.get(), mode: e.target.value })));
  on("yeara-select", "change", (e) => store.set({ yearA: Number(e.target.value) }));
  on("ref-select", "change", (e) => store.set({ ref: e.target.value }));
  on("method-select", "change", (e) => store.set({ method: e.target.value }));
  on("classes-select", "change", (e) => store.set({ classes: Number(e.target.value) }));
  on("scope-select", "change", (e) => store.set({ scope: e.target.value }));
  on("pooled-check", "change", (e) => store.set({ pooled: e.target.checked ? "1" : "0" }));
  on("lang-btn", "click", () => store.set({ lang: getLang() === "sv" ? "en" : "sv" }));
  for (const button of document.querySelectorAll("[data-view]")) {
    button.addEventListener("click", () => store.set({ view: button.dataset.view }, { replace: false }));
  }
  window.addEventListener("popstate", () => store.set(complete(parse(location.search)), { url: false }));
  window.addEventListener("resize", () => ctx.maps.forEach((m) => m.map.resize()));
}

const MAP_KEYS = ["kommun", "level", "ind", "year", "bd", "mode", "yearA", "ind2", "ref", "method", "classes", "scope", "pooled", "lang"];

async function render(state, before) {
  setLang(state.lang);
  renderControls(state);
  const changed = (keys) => !before || keys.some((k) => JSON.stringify(state[k]) !== JSON.stringify(before[k]));
  try {
    if (state.view !== "map" && !ctx.methods) ctx.methods = await api.methods(); // the views show its help
    if (state.view === "map" && (changed([...MAP_KEYS, "view"]))) await renderMap(state, before && before.view === "map" ? before : before && { ...before, kommun: before.view === "map" ? before.kommun : null });
    if (state.view === "map" && changed(["sel", "view"])) for (const view of ctx.maps) view.setSelected(state.sel);
    if (state.view === "map" && changed([...MAP_KEYS, "sel", "view"])) await renderDetail(ctx, state, store);
    if (state.view === "overview" && changed([...MAP_KEYS, "view"])) await renderOverview(ctx, state, store);
    if (state.view === "county" && changed(["kommun", "lan", "year", "lang", "view"])) await renderCounty(ctx, state, store);
    if (state.view === "pertype" && changed(["kommun", "lan", "ind", "bd", "pscope", "lang", "view"])) await renderPerType(ctx, state, store);
    if (state.view === "national" && changed(["nind", "nlevel", "year", "method", "classes", "lang", "view"])) await renderNational(ctx, state, store);
    if (state.view === "table" && changed([...MAP_KEYS, "tind", "tyears", "view"])) await renderTable(ctx, state, store);
    setupShare(ctx, state);
    document.body.dataset.ready = "1";
  } catch (error) {
    console.warn(error);
    const box = $("status");
    box.textContent = t("error", { msg: error.message });
    box.hidden = false;
  }
}

async function boot() {
  maplibregl.prewarm(); // MapLibre's worker starts (and parses its code) while the catalog arrives
  const initial = parse(location.search);
  setLang(initial.lang);
  try {
    ctx.catalog = await api.catalog();
  } catch (error) {
    $("status").textContent = t("error", { msg: error.message });
    $("status").hidden = false;
    return;
  }
  setBreakdownLabels(ctx.catalog.breakdown_labels);
  for (const ind of ctx.catalog.indicators) ctx.indicators.set(ind.id, ind);
  for (const m of ctx.catalog.municipalities) ctx.municipalities.set(m.code, m);
  const list = $("kommun-list");
  list.replaceChildren(...ctx.catalog.municipalities.map((m) => option(`${m.name} (${m.code})`, m.code)));
  if (!categoryIndicator(ctx.catalog)) $("mode-select").querySelector('[value="types"]').disabled = true;
  store = createStore(complete(initial));
  history.replaceState(null, "", `${location.pathname}?${serialize(store.get())}`);
  ctx.store = store;
  window.barometer = { ctx, store }; // for the browser tests and for debugging
  wire();
  store.subscribe((state, before) => render(state, before));
  await render(store.get(), null);
  // the method help is not needed to draw the first map: it arrives after it, and its button with it
  ctx.methods = await api.methods();
  $("ind-help").replaceChildren(helpButton(ctx.methods, store.get().ind));
}

if (EMBED) document.body.classList.add("embed");
boot();
