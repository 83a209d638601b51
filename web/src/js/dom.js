// Small DOM helpers shared by the views.

/** A new element with properties and children. */
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
};

/** Save text as a file the browser downloads. */
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A wide table in a ``.table-scroll`` box that scrolls sideways: a region named by ``label`` (default: its
 * caption) that takes the keyboard focus, so it can be scrolled with the arrow keys (WCAG 2.1.1). */
export function scrollTable(table, label = table.caption ? table.caption.textContent : "") {
  const box = el("div", { className: "table-scroll", tabIndex: 0 }, table);
  box.setAttribute("role", "region");
  if (label) box.setAttribute("aria-label", label);
  return box;
}
