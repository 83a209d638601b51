// Per områdestyp: an indicator aggregated over the RegSO of each area type within the country, the county or
// the municipality, per year (official types where imported, else computed ones): a line per type, a table
// of year × type with the number of areas and the types' source, and a CSV of that table.
import { api } from "./api.js";
import { lineChart } from "./chart.js";
import { csvLine } from "./csv.js";
import { lanNames } from "./data.js";
import { download, el, scrollTable } from "./dom.js";
import { formatValue, plainNumber } from "./format.js";
import { t, getLang, indicatorTitle, breakdownLabel } from "./i18n.js";
import { headingWithHelp } from "./methods.js";
import { categoryIndicator } from "./metrics.js";
import { countyOf } from "./state.js";
import { typeColor, typeLegend } from "./overview.js";

/** The kinds that add up over areas (counts; shares and rates from numerators and denominators; means). */
export const AGGREGABLE = ["count", "share", "rate", "mean"];
const TYPES = ["1", "2", "3", "4", "5"];

function scopeCode(ctx, state) {
  if (state.pscope === "kommun") return state.kommun;
  if (state.pscope === "lan") return countyOf(state);
  return "";
}

function controls(ctx, state, store, ind, counties) {
  const select = el("select", { id: "pt-ind" });
  for (const i of ctx.catalog.indicators.filter((x) => x.kind !== "category" && x.breakdowns.length)) {
    const label = AGGREGABLE.includes(i.kind) ? indicatorTitle(i) : `${indicatorTitle(i)} (${t("pt_not_by_type")})`;
    select.appendChild(el("option", { value: i.id, textContent: label, selected: i.id === state.ind }));
  }
  select.addEventListener("change", () => store.set({ ind: select.value }));
  const kommun = ctx.municipalities.get(state.kommun);
  const lanName = counties.get(countyOf(state)) || t("lan_value");
  const scope = el("select", { id: "pt-scope" },
    ...[["riket", t("riket_value")], ["lan", lanName], ["kommun", kommun ? kommun.name : state.kommun]]
      .map(([value, label]) => el("option", { value, textContent: label, selected: value === state.pscope })));
  scope.addEventListener("change", () => store.set({ pscope: scope.value }));
  const fields = [
    el("div", { className: "field" }, el("label", { htmlFor: "pt-ind", textContent: t("indicator") }), select),
    el("div", { className: "field" }, el("label", { htmlFor: "pt-scope", textContent: t("pt_scope") }), scope),
  ];
  const bds = (ind && ind.breakdowns) || [];
  if (bds.length > 1) {
    const bd = el("select", { id: "pt-bd" }, ...bds.map((b) => el("option", { value: b, textContent: breakdownLabel(b), selected: b === state.bd })));
    bd.addEventListener("change", () => store.set({ bd: bd.value }));
    fields.push(el("div", { className: "field" }, el("label", { htmlFor: "pt-bd", textContent: t("breakdown") }), bd));
  }
  return el("div", { className: "view-controls" }, ...fields);
}

/** Rows of the table: [{year, source, cells: {type: {value, status, n}}}] from the per_type answer. */
export function perTypeRows(data) {
  const years = [...new Set(Object.values(data.series).flat().map((p) => p.year))].sort((a, b) => a - b);
  return years.map((year) => {
    const cells = {};
    for (const type of TYPES) {
      const point = (data.series[type] || []).find((p) => p.year === year);
      cells[type] = point ? { value: point.value ?? null, status: point.status, n: point.n_areas } : { value: null, status: "missing", n: 0 };
    }
    return { year, source: data.type_source[String(year)] || "", cells };
  });
}

function csvText(data, rows, names, lang) {
  const sep = lang === "sv" ? ";" : ",";
  const head = [t("year"), t("pt_types_source"), ...TYPES.flatMap((k) => [`${names[k]} (${data.unit || ""})`, `${names[k]}: ${t("areas_col")}`])];
  const lines = [csvLine(sep, head)];
  for (const row of rows) {
    const numbers = TYPES.flatMap((k) => [plainNumber(row.cells[k].value, data.decimals, lang), String(row.cells[k].n)]);
    lines.push(csvLine(sep, [String(row.year), t(`pt_source_${row.source}`)], numbers));
  }
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

export async function renderPerType(ctx, state, store) {
  const box = document.getElementById("view-pertype");
  const lang = getLang();
  const ind = ctx.indicators.get(state.ind);
  const code = scopeCode(ctx, state);
  const counties = await lanNames(ctx);
  const where = state.pscope === "riket" ? t("riket_value") : state.pscope === "lan" ? counties.get(code) || code
    : (ctx.municipalities.get(code) || { name: code }).name;
  const parts = [headingWithHelp("h2", t("pt_h", { title: indicatorTitle(ind), where }), ctx.methods, "per_type", { id: "pt-title" }),
    controls(ctx, state, store, ind, counties)];
  const typeInd = categoryIndicator(ctx.catalog);
  if (!ind || !typeInd) {
    box.replaceChildren(...parts, el("p", { className: "note", id: "pt-unavailable", textContent: t(typeInd ? "pt_none" : "no_types") }));
    box.dataset.rendered = `${state.ind}:${state.pscope}:unavailable`;
    return;
  }
  if (!AGGREGABLE.includes(ind.kind)) {
    box.replaceChildren(...parts, el("p", { className: "note", id: "pt-unavailable", textContent: t("pt_kind", { title: indicatorTitle(ind), kind: t(`kind_${ind.kind}`) }) }));
    box.dataset.rendered = `${state.ind}:${state.pscope}:unavailable`;
    return;
  }
  const breakdown = ind.breakdowns.includes(state.bd) ? state.bd : "total";
  const regsoYears = (ctx.catalog.levels.find((l) => l.id === "regso") || {}).years || ctx.catalog.years;
  const legend = await typeLegend(ctx, regsoYears[regsoYears.length - 1]);
  if (!legend || !Object.keys(legend.areas).some((c) => c.startsWith(code))) { // RegSO codes begin with their kommun's
    box.replaceChildren(...parts, el("p", { className: "note", id: "pt-unavailable", textContent: t("pt_no_areas", { where }) }));
    box.dataset.rendered = `${state.ind}:${state.pscope}:unavailable`;
    return;
  }
  const data = await api.perType(ind.id, state.pscope, code, breakdown);
  const names = Object.fromEntries(TYPES.map((k) => [k, (data.types[k] || {})[lang] || k]));
  const rows = perTypeRows(data);
  const lines = TYPES.map((k) => ({ label: names[k], color: typeColor(legend, Number(k)), outline: true, points: rows.map((r) => ({ year: r.year, value: r.cells[k].value })) }));
  const chart = lineChart(lines, { unit: data.unit, decimals: data.decimals, lang, title: t("pt_h", { title: indicatorTitle(ind), where }) });

  const table = el("table", { id: "pt-table" }, el("caption", { textContent: `${indicatorTitle(ind)}${data.unit ? ` (${data.unit})` : ""}, ${breakdownLabel(breakdown)} · ${where}` }));
  const head = table.createTHead().insertRow();
  for (const text of [t("year"), ...TYPES.map((k) => names[k]), t("pt_types_source")]) head.appendChild(el("th", { scope: "col", textContent: text }));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.appendChild(el("th", { scope: "row", textContent: String(row.year) }));
    for (const k of TYPES) {
      const cell = row.cells[k];
      const td = tr.insertCell();
      td.className = "num";
      td.dataset.type = k;
      if (cell.value !== null) td.dataset.value = String(cell.value);
      td.dataset.n = String(cell.n);
      td.append(cell.value === null ? (cell.status === "suppressed" ? t("suppressed") : "–") : formatValue(cell.value, data.unit, data.decimals, lang),
        el("span", { className: "n", textContent: ` (${t("pt_n", { n: cell.n })})` }));
    }
    tr.insertCell().textContent = t(`pt_source_${row.source}`);
  }
  const csvButton = el("button", { type: "button", id: "pt-csv", textContent: t("export_csv") });
  csvButton.addEventListener("click", () => download(`barometer_per_type_${ind.id}_${state.pscope}${code ? `_${code}` : ""}.csv`, csvText(data, rows, names, lang), "text/csv;charset=utf-8"));
  const query = new URLSearchParams({ scope: state.pscope, lang });
  if (code) query.set("code", code);
  if (breakdown && breakdown !== "total") query.set("breakdown", breakdown);
  const xlsxLink = el("a", { id: "pt-xlsx", className: "download", href: `api/measures/per_type/${ind.id}.xlsx?${query}`, textContent: t("export_xlsx") });
  const notes = (data.notes || []).map((n) => el("p", { className: "note", textContent: n }));
  const sources = new Set(rows.map((r) => r.source));
  if (sources.size > 1) notes.push(el("p", { className: "note", textContent: t("pt_mixed") }));
  parts.push(
    el("section", { className: "card" }, headingWithHelp("h3", t("pt_chart_h"), ctx.methods, ind.id), chart),
    el("section", { className: "card" }, el("h3", { textContent: t("pt_table_h") }), scrollTable(table, t("pt_table_h")),
      el("div", { className: "exports" }, csvButton, xlsxLink), ...notes),
    el("section", { className: "card" }, headingWithHelp("h3", t("mode_types"), ctx.methods, "omradestyp"),
      el("button", { type: "button", id: "pt-types-map", textContent: `${t("show_on_map")}: ${t("mode_types")}`,
        onclick: () => store.set({ view: "map", mode: "types", level: "regso" }, { replace: false }) })),
  );
  box.replaceChildren(...parts);
  box.dataset.rendered = `${state.ind}:${state.pscope}:${code}:${breakdown}:${lang}`;
}
