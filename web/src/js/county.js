// The county page, mirroring the municipality overview: the county's municipalities compared (population,
// shares living in områdestyp 1–2 and 4–5, the ojämlikhetsindex), RegSO and population by type in the
// county, and the county's ojämlikhetsindex over the years against the country's.
import { api } from "./api.js";
import { lineChart } from "./chart.js";
import { lanNames, series } from "./data.js";
import { el, scrollTable } from "./dom.js";
import { formatValue } from "./format.js";
import { t, getLang, indicatorTitle } from "./i18n.js";
import { headingWithHelp, helpButton } from "./methods.js";
import { categoryIndicator } from "./metrics.js";
import { countyOf } from "./state.js";
import { typeBreakdown, typeLegend } from "./overview.js";

/** The columns of the comparison, those the dataset has. */
export const COUNTY_COLUMNS = ["population", "population_types_1_2", "population_types_4_5", "ojamlikhetsindex"];
const BARS = ["population_types_1_2", "ojamlikhetsindex"];

/** The county's municipalities in a year: [{code, name, values: {ind: number|null}}] from /api/values/kommun. */
export async function countyRows(ctx, lan, year, columns) {
  const data = await api.values("kommun", year);
  const values = (data && data.values) || {};
  return Object.keys(values).filter((code) => code.slice(0, 2) === lan).sort().map((code) => ({
    code, name: (ctx.municipalities.get(code) || { name: code }).name,
    values: Object.fromEntries(columns.map((id) => [id, typeof values[code][id] === "number" ? values[code][id] : null])),
  }));
}

function bars(rows, ind, lang) {
  const max = Math.max(...rows.map((r) => r.values[ind.id] ?? 0), 0);
  const list = el("ul", { className: "bars" });
  list.setAttribute("aria-hidden", "true"); // the table above says the same
  for (const r of rows) {
    const v = r.values[ind.id];
    const fill = el("span", { className: "bar-fill" });
    fill.style.width = `${max > 0 && v !== null ? (100 * v) / max : 0}%`;
    list.append(el("li", {}, el("span", { className: "bar-name", textContent: r.name }), el("span", { className: "bar-track" }, fill),
      el("span", { className: "bar-value", textContent: formatValue(v, ind.unit, ind.decimals, lang) })));
  }
  return el("figure", { className: "bar-chart" }, el("figcaption", { textContent: indicatorTitle(ind) }), list);
}

/** RegSO and population by type in the county in a year: from the per-type population where the dataset
 * has it, else the RegSO counted from the types' legend (population unknown); null without types. */
function countyTypes(lan, year, perType, legend) {
  const TYPES = [1, 2, 3, 4, 5];
  const point = (type) => ((perType && perType.series[String(type)]) || []).find((p) => p.year === year);
  if (TYPES.some(point)) return TYPES.map((type) => ({ type, areas: point(type) ? point(type).n_areas : 0, population: point(type) ? point(type).value ?? 0 : 0 }));
  if (!legend) return null;
  const own = Object.entries(legend.areas).filter(([code, a]) => code.slice(0, 2) === lan && a.value !== null).map(([, a]) => a.value);
  return own.length ? TYPES.map((type) => ({ type, areas: own.filter((v) => v === type).length, population: null })) : null;
}

export async function renderCounty(ctx, state, store) {
  const box = document.getElementById("view-county");
  const lang = getLang();
  const lan = countyOf(state);
  const name = (await lanNames(ctx)).get(lan) || lan;
  box.replaceChildren(el("p", { textContent: t("loading") }));
  const columns = COUNTY_COLUMNS.map((id) => ctx.indicators.get(id)).filter(Boolean);
  const regsoYears = (ctx.catalog.levels.find((l) => l.id === "regso") || {}).years || [];
  const typeYear = regsoYears.includes(state.year) ? state.year : regsoYears[regsoYears.length - 1];
  const typeInd = categoryIndicator(ctx.catalog);
  const kommunYears = (ctx.catalog.levels.find((l) => l.id === "kommun") || {}).years || [];
  const hasIndex = ctx.indicators.has("ojamlikhetsindex");
  const [rows, legend, lanSeries, riketSeries] = await Promise.all([
    columns.length && kommunYears.includes(state.year) ? countyRows(ctx, lan, state.year, columns.map((c) => c.id)) : [],
    typeInd && typeYear ? typeLegend(ctx, typeYear) : null,
    hasIndex ? series("lan", "ojamlikhetsindex", [lan]) : {},
    hasIndex ? series("riket", "ojamlikhetsindex", ["SE"]) : {},
  ]);
  const typed = legend && Object.keys(legend.areas).some((code) => code.startsWith(lan)); // RegSO codes begin with it
  const perType = typed && ctx.indicators.has("population") ? await api.perType("population", "lan", lan, "total") : null;
  const parts = [el("h2", { id: "county-title", textContent: t("overview_h", { name: `${name} (${lan})` }) })];
  const cover = ((ctx.catalog.coverage || {}).lan || {})[lan];
  if (cover && cover[0] < cover[1]) parts.push(el("p", { className: "note", id: "county-coverage", textContent: t("coverage", { name, n: cover[0], of: cover[1] }) }));

  const compare = el("section", { className: "card", id: "county-kommuner" }, el("h3", { textContent: t("county_compare_h", { year: state.year }) }));
  if (rows.length) {
    const table = el("table", { id: "county-table" });
    const head = table.createTHead().insertRow();
    head.appendChild(el("th", { scope: "col", textContent: t("municipality") }));
    for (const ind of columns) {
      const th = el("th", { scope: "col", className: "num" }, el("span", { textContent: `${indicatorTitle(ind)}${ind.unit ? ` (${ind.unit})` : ""}` }), helpButton(ctx.methods, ind.id));
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      tr.dataset.code = r.code;
      if (r.code === state.kommun) tr.className = "current";
      tr.appendChild(el("th", { scope: "row" }, el("button", { type: "button", className: "link", textContent: r.name,
        ariaLabel: t("open_overview", { name: r.name }), onclick: () => store.set({ view: "overview", kommun: r.code, lan: "" }, { replace: false }) })));
      for (const ind of columns) {
        const v = r.values[ind.id];
        const td = tr.insertCell();
        td.className = "num";
        td.dataset.ind = ind.id;
        if (v !== null) td.dataset.value = String(v);
        td.textContent = formatValue(v, ind.unit, ind.decimals, lang);
      }
    }
    compare.append(scrollTable(table, t("view_county")),
      ...BARS.map((id) => ctx.indicators.get(id)).filter(Boolean).map((ind) => bars(rows, ind, lang)));
  } else compare.append(el("p", { textContent: t("not_available") }));
  parts.push(compare);

  const types = el("section", { className: "card", id: "county-types" }, headingWithHelp("h3", t("types_h", { year: typeYear }), ctx.methods, "omradestyp"));
  const counted = countyTypes(lan, typeYear, perType, legend);
  if (counted) {
    types.append(...typeBreakdown(counted, legend, lang));
    const source = perType && perType.type_source[String(typeYear)];
    if (source) types.append(el("p", { className: "note", textContent: t(`pt_source_${source}`) }));
    types.append(el("button", { type: "button", textContent: t("view_pertype"), onclick: () => store.set({ view: "pertype", pscope: "lan" }, { replace: false }) }));
  } else types.append(el("p", { textContent: t("not_available") }));
  parts.push(types);

  const ineq = el("section", { className: "card", id: "county-ojamlikhet" }, headingWithHelp("h3", t("ojamlikhet_h"), ctx.methods, "ojamlikhetsindex"));
  const pick = (found, code) => (found[code] || []).map((p) => ({ year: p.year, value: p.value ?? null }));
  const lanPoints = pick(lanSeries, lan);
  if (lanPoints.some((p) => p.value !== null)) {
    ineq.append(lineChart([{ label: name, points: lanPoints }, { label: t("riket_value"), points: pick(riketSeries, "SE"), color: "#595959", dash: true }],
      { decimals: 1, lang, title: `${t("ojamlikhet_h")}: ${name}` }));
  } else ineq.append(el("p", { textContent: t("not_available") }));
  parts.push(ineq);
  box.replaceChildren(...parts);
  box.dataset.rendered = `${lan}:${state.year}:${lang}`;
}
