// The table view: every area of the municipality with the chosen indicators and years, sortable, with
// CSV (made here) and XLSX (made by the server) downloads that carry the source and the definitions.
import { api } from "./api.js";
import { csvLine } from "./csv.js";
import { download, scrollTable } from "./dom.js";
import { loadValues } from "./data.js";
import { formatValue, plainNumber } from "./format.js";
import { t, getLang, indicatorTitle, indicatorDescription, areaTypeName } from "./i18n.js";

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

let sort = { col: 0, dir: 1 };
let swedishNumbers = null;

function chosen(ctx, state) {
  const inds = (state.tind.length ? state.tind : [state.ind]).filter((id) => ctx.indicators.has(id));
  const levelYears = (ctx.catalog.levels.find((l) => l.id === state.level) || {}).years || ctx.catalog.years;
  const years = (state.tyears.length ? state.tyears.map(Number) : [state.year]).filter((y) => levelYears.includes(y));
  return { inds, years: years.length ? years : [state.year], levelYears };
}

function checkboxes(legendText, items, checked, onChange, key) {
  const box = el("fieldset", { className: "checks" }, el("legend", { textContent: legendText }));
  for (const [value, label] of items) {
    const input = el("input", { type: "checkbox", value: String(value), checked: checked.includes(value) });
    input.dataset.key = `${key}:${value}`;
    input.addEventListener("change", () => onChange([...box.querySelectorAll("input:checked")].map((i) => i.value)));
    box.appendChild(el("label", {}, input, ` ${label}`));
  }
  return box;
}

/** Rows [{code, name, cells:[number|null]}] and columns [{ind, year, label}]. */
async function tableData(ctx, state) {
  const { inds, years } = chosen(ctx, state);
  const tables = await Promise.all(years.map((y) => loadValues(state.level, y, { kommun: state.kommun, breakdown: state.bd })));
  const columns = [];
  for (const id of inds) for (const [i, year] of years.entries()) columns.push({ ind: ctx.indicators.get(id), year, table: tables[i] });
  const rows = ctx.areasTable.map((a) => ({
    code: a.code, name: a.name,
    cells: columns.map((c) => c.table.value(a.code, c.ind.id)),
    status: columns.map((c) => c.table.status(a.code, c.ind.id)),
  }));
  return { columns, rows };
}

const columnLabel = (c) => `${indicatorTitle(c.ind)}${c.ind.unit ? ` (${c.ind.unit})` : ""} ${c.year}`;

function csvText(ctx, state, data, swedish) {
  const sep = swedish ? ";" : ",";
  const lang = swedish ? "sv" : "en";
  const line = (...texts) => csvLine(sep, texts);
  const lines = [line(t("area"), t("code"), ...data.columns.map(columnLabel))];
  for (const row of sortedRows(data)) {
    const cells = row.cells.map((v, i) => (v === null ? (row.status[i] === "suppressed" ? "..": "") : plainNumber(v, data.columns[i].ind.decimals, lang)));
    lines.push(csvLine(sep, [row.name, row.code], cells));
  }
  const kommun = ctx.municipalities.get(state.kommun) || { name: state.kommun };
  lines.push("");
  lines.push(line(`${t("municipality")}: ${kommun.name} (${state.kommun})`));
  lines.push(line(`${t("level")}: ${state.level === "deso" ? "DeSO" : "RegSO"}`));
  lines.push(line(`${t("no_data")}: ""; ${t("suppressed")}: ".."`));
  lines.push(line(t("definitions")));
  const seen = new Set();
  for (const c of data.columns) {
    if (seen.has(c.ind.id)) continue;
    seen.add(c.ind.id);
    lines.push(line(c.ind.id, indicatorTitle(c.ind), c.ind.unit, indicatorDescription(c.ind), `${t("source")}: ${c.ind.source || ""}`));
  }
  lines.push(line(`${t("source")}: ${ctx.catalog.title || "Barometer"} · ${location.origin}${location.pathname}?${location.search.slice(1)}`));
  lines.push(line(`${t("generated")}: ${new Date().toISOString().slice(0, 10)}`));
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

function sortedRows(data) {
  const { col, dir } = sort;
  const key = (row) => (col === 0 ? row.name : col === 1 ? row.code : row.cells[col - 2]);
  return [...data.rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null && y === null) return 0;
    if (x === null) return 1; // missing values last either way
    if (y === null) return -1;
    return (typeof x === "string" ? x.localeCompare(y, "sv") : x - y) * dir;
  });
}

export async function renderTable(ctx, state, store) {
  const box = document.getElementById("view-table");
  const lang = getLang();
  if (swedishNumbers === null) swedishNumbers = lang === "sv";
  ctx.areasTable = (await api.areas(state.level, state.kommun)) || [];
  const { inds, years, levelYears } = chosen(ctx, state);
  const data = await tableData(ctx, state);
  const kommun = ctx.municipalities.get(state.kommun) || { name: state.kommun };
  const indChecks = checkboxes(t("table_inds"), ctx.catalog.indicators.map((i) => [i.id, indicatorTitle(i)]), inds, (ids) => ids.length && store.set({ tind: ids }), "ind");
  const yearChecks = checkboxes(t("table_years"), levelYears.map((y) => [y, String(y)]), years, (ys) => ys.length && store.set({ tyears: ys.map(Number) }), "year");
  const format = el("input", { type: "checkbox", id: "sv-format", checked: swedishNumbers });
  format.addEventListener("change", () => { swedishNumbers = format.checked; xlsx.href = xlsxUrl(); });
  const base = `barometer_${state.kommun}_${state.level}_${years.join("-")}`;
  const csvButton = el("button", { type: "button", id: "export-csv", textContent: t("export_csv") });
  csvButton.addEventListener("click", () => download(`${base}.csv`, csvText(ctx, state, data, swedishNumbers), "text/csv;charset=utf-8"));
  const xlsxUrl = () => `api/export/${state.kommun}.xlsx?${new URLSearchParams({ level: state.level, indicators: inds.join(","), years: years.join(","), lang, decimal: swedishNumbers ? "comma" : "point" })}`;
  const xlsx = el("a", { className: "button", id: "export-xlsx", href: xlsxUrl(), download: `${base}.xlsx`, textContent: t("export_xlsx") });

  const table = el("table", { id: "data-table", className: "sortable" });
  table.appendChild(el("caption", { textContent: t("table_h", { name: kommun.name }) }));
  const head = table.createTHead().insertRow();
  const labels = [t("area"), t("code"), ...data.columns.map(columnLabel)];
  labels.forEach((label, i) => {
    const th = el("th", { scope: "col" });
    th.setAttribute("aria-sort", sort.col === i ? (sort.dir > 0 ? "ascending" : "descending") : "none");
    const button = el("button", { type: "button", className: "sort", textContent: label });
    button.dataset.key = `sort:${i}`;
    button.setAttribute("aria-label", t("sort_by", { col: label }));
    button.addEventListener("click", () => {
      sort = { col: i, dir: sort.col === i ? -sort.dir : i >= 2 ? -1 : 1 };
      renderTable(ctx, store.get(), store);
    });
    th.appendChild(button);
    if (i >= 2) th.className = "num";
    head.appendChild(th);
  });
  const body = table.createTBody();
  for (const row of sortedRows(data)) {
    const tr = body.insertRow();
    tr.appendChild(el("th", { scope: "row", textContent: row.name }));
    tr.insertCell().textContent = row.code;
    row.cells.forEach((v, i) => {
      const ind = data.columns[i].ind;
      const cell = tr.insertCell();
      cell.className = "num";
      if (v === null) {
        cell.textContent = row.status[i] === "suppressed" ? t("suppressed") : t("no_data");
        cell.classList.add("missing");
      } else cell.textContent = ind.kind === "category" ? areaTypeName(v) : formatValue(v, ind.unit, ind.decimals, lang);
    });
  }
  // a control that redraws the table keeps the keyboard focus (its twin in the new table)
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
  box.replaceChildren(
    el("h2", { textContent: t("table_h", { name: kommun.name }) }),
    el("div", { className: "table-controls" }, indChecks, yearChecks),
    el("div", { className: "exports" }, el("label", {}, format, ` ${t("sv_format")}`), csvButton, xlsx),
    scrollTable(table),
  );
  if (focused) box.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  box.dataset.rendered = `${state.kommun}:${inds.join(",")}:${years.join(",")}`;
}
