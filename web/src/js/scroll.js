// A wide table in a box that scrolls sideways: a named region that takes keyboard focus, so that it can be
// scrolled with the arrow keys (WCAG 2.1.1; axe's scrollable-region-focusable).

/** The table wrapped in a focusable ``.table-scroll`` region named by ``label`` (default: its caption). */
export function scrollTable(table, label = table.caption ? table.caption.textContent : "") {
  const box = document.createElement("div");
  box.className = "table-scroll";
  box.tabIndex = 0;
  box.setAttribute("role", "region");
  if (label) box.setAttribute("aria-label", label);
  box.append(table);
  return box;
}
