// CSV cells as spreadsheets read them: quoted where needed, and text that no spreadsheet runs as a formula
// (a leading ' where it starts with = + - @ tab or CR, as OWASP advises). Numbers are not text: a negative
// value stays a number.
const FORMULA_START = /^[=+\-@\t\r]/;

export const neutralise = (text) => (FORMULA_START.test(text) ? `'${text}` : text);

export function quote(value) {
  const text = String(value ?? "");
  return /[";,\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line: ``texts`` neutralised, then ``numbers`` (already formatted) as they are. */
export const csvLine = (sep, texts, numbers = []) =>
  [...texts.map((v) => quote(neutralise(String(v ?? "")))), ...numbers.map(quote)].join(sep);
