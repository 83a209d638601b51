// Number formatting as styles/legend.py does it for the server's legend labels, so that a hover value reads
// like its class: Swedish "1 234,5 %" (narrow no-break space between thousands, decimal comma), English
// "1,234.5 %".
const NBSP = "\u00a0";
const THIN = "\u202f";

export function formatNumber(value, decimals = 1, lang = "sv", signed = false) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const d = Math.max(0, decimals ?? 1);
  let rounded = Number(value.toFixed(d));
  if (rounded === 0) rounded = 0;
  const text = rounded.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  const sign = signed && rounded > 0 ? "+" : "";
  if (lang === "en") return sign + text;
  return sign + text.replace(/,/g, THIN).replace(".", ",");
}

export function formatValue(value, unit = "", decimals = 1, lang = "sv", signed = false) {
  const number = formatNumber(value, decimals, lang, signed);
  return unit && number !== "–" ? `${number}${NBSP}${unit}` : number;
}

/** A plain number for files: decimal comma for Swedish, no thousands separators. */
export function plainNumber(value, decimals, lang) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const text = value.toFixed(Math.max(0, decimals ?? 1));
  return lang === "sv" ? text.replace(".", ",") : text;
}
