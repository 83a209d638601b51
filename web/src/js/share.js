// Share and embed: the permalink (the whole state is in the URL) and an iframe snippet for /embed.
import { serialize } from "./state.js";
import { t, indicatorTitle } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let wired = false;

const escapeAttr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function appBase() {
  return new URL(".", location.href).href;
}

export function embedSnippet(ctx, state) {
  const url = `${appBase()}embed?${serialize({ ...state, view: "map", sel: [] }, { omit: ["view"] })}`;
  const kommun = ctx.municipalities.get(state.kommun) || { name: state.kommun };
  const title = t("embed_title", { title: indicatorTitle(ctx.indicators.get(state.ind)), kommun: kommun.name, year: state.year });
  return `<iframe src="${escapeAttr(url)}" title="${escapeAttr(title)}" width="100%" height="520" style="border:0" loading="lazy" referrerpolicy="no-referrer-when-downgrade"></iframe>`;
}

async function copy(text, field) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    field.focus();
    field.select();
    try { ok = document.execCommand("copy"); } catch { ok = false; }
  }
  $("copy-status").textContent = ok ? t("copied") : "";
}

export function setupShare(ctx, state) {
  $("permalink").value = location.href;
  $("embed-code").value = embedSnippet(ctx, state);
  if (wired) return;
  wired = true;
  const dialog = $("share-dialog");
  $("share-btn").addEventListener("click", () => {
    $("permalink").value = location.href;
    $("embed-code").value = embedSnippet(ctx, ctx.store.get());
    $("copy-status").textContent = "";
    dialog.showModal();
  });
  $("share-close").addEventListener("click", () => dialog.close());
  $("copy-link").addEventListener("click", () => copy($("permalink").value, $("permalink")));
  $("copy-embed").addEventListener("click", () => copy($("embed-code").value, $("embed-code")));
}
