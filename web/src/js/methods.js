// Method help: a button per indicator or measure that opens its definition, formula in words, how to read
// it, source and caveats in the page's language, as /api/methods gives them (one source with docs/measures.md).
import { el } from "./dom.js";
import { getLang, t } from "./i18n.js";

let serial = 0;

/** The help entry of an indicator (by id) or, failing that, of a measure; null when there is none. */
export function helpEntry(methods, id) {
  if (!methods) return null;
  return (methods.indicators || {})[id] || (methods.measures || []).find((m) => m.id === id) || null;
}

/** A help button and its panel (hidden until the button opens it), or an empty fragment without help. */
export function helpButton(methods, id) {
  const entry = helpEntry(methods, id);
  const box = el("div", { className: "help" });
  if (!entry) return box;
  const lang = getLang();
  const text = (field) => (field && (field[lang] || field.sv)) || "";
  const panelId = `help-${id}-${++serial}`;
  const title = text(entry.title);
  const button = el("button", { type: "button", className: "help-btn", textContent: "?" });
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", panelId);
  button.setAttribute("aria-label", t("help_for", { title }));
  button.dataset.help = id;
  const list = el("dl");
  for (const field of ["definition", "formula", "reading", "source"]) {
    const value = text(entry[field]);
    if (value) list.append(el("dt", { textContent: t(`help_${field}`) }), el("dd", { textContent: value, className: `help-${field}` }));
  }
  const caveats = (entry.caveats || []).map(text).filter(Boolean);
  if (caveats.length) {
    list.append(el("dt", { textContent: t("help_caveats") }),
      el("dd", {}, el("ul", { className: "help-caveats" }, ...caveats.map((c) => el("li", { textContent: c })))));
  }
  const panel = el("div", { id: panelId, className: "help-panel", hidden: true }, el("p", { className: "help-title", textContent: title }), list);
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", t("help_for", { title }));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
  });
  box.append(button, panel);
  return box;
}

/** A heading followed by the help button of an indicator or measure. */
export const headingWithHelp = (tag, text, methods, id, props = {}) =>
  el("div", { className: "with-help" }, el(tag, { textContent: text, ...props }), helpButton(methods, id));
