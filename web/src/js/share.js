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

/** The XYZ template, zoom range and style URL a QGIS user pastes for the map on screen. */
export function qgisConnection(state, zooms) {
  const query = new URLSearchParams();
  if (state.bd && state.bd !== "total") query.set("breakdown", state.bd);
  if (state.mode === "change" && state.yearA) query.set("since", state.yearA);
  if (state.mode === "deviation") query.set("deviation", state.ref);
  const tiles = `${appBase()}tiles/${state.level}/${state.year}/{z}/{x}/{y}.mvt${query.size ? `?${query}` : ""}`;
  const style = new URLSearchParams(query);
  style.set("client", "qgis");
  style.set("method", state.method);
  style.set("classes", state.classes);
  if (state.scope !== "all" && state.kommun) style.set("kommun", state.kommun);
  if (state.pooled === "1" || state.mode === "years") style.set("pooled", "1");
  const ind = state.mode === "types" ? "omradestyp" : state.ind;
  return {
    tiles,
    zoom: t("qgis_zoom", { min: zooms.minzoom, max: zooms.maxzoom }),
    style: `${appBase()}styles/${state.level}/${ind}/${state.year}.json?${style}`,
  };
}

async function fillQgis(state) {
  const response = await fetch(`${appBase()}tiles/${state.level}.json`);
  const zooms = response.ok ? await response.json() : { minzoom: "?", maxzoom: "?" };
  const qgis = qgisConnection(state, zooms);
  $("qgis-url").value = qgis.tiles;
  $("qgis-zoom").textContent = qgis.zoom;
  $("qgis-style").value = qgis.style;
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
    fillQgis(ctx.store.get());
    dialog.showModal();
  });
  $("share-close").addEventListener("click", () => dialog.close());
  $("copy-link").addEventListener("click", () => copy($("permalink").value, $("permalink")));
  $("copy-embed").addEventListener("click", () => copy($("embed-code").value, $("embed-code")));
}
