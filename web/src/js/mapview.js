// A MapLibre map of one level's geometry tiles, coloured through feature-state: the server classes every
// area (/api/legend), the page sets each area's state c (class index, -1 no data, -2 suppressed; no state =
// outside the map's scope) and a fill-color "match" on the legend's colours, so a new year, indicator,
// change or deviation map restyles without reloading a tile.
// The first draw is kept cheap (software WebGL compiles every shader program a frame needs on the main
// thread): labels, the hover/selection outline and the no-data/suppressed patterns that no area needs yet
// are hidden until the map has been drawn once, and fills are not antialiased (their outlines are drawn).
import { api, getJSON } from "./api.js";
import { addBasemap, pmtiles } from "./basemap.js";
import { tileJSON } from "./data.js";
import { t } from "./i18n.js";

const SOURCE = "areas";
const STATE = ["coalesce", ["feature-state", "c"], -9];
const OUTSIDE = "#d9d9d6"; // the base colour of areas outside the scope (not a class)
const abs = (path) => new URL(path, document.baseURI).href;
const FONT = ["DejaVu Sans"]; // the glyphs the app serves (built from Debian's DejaVu Sans)
const GLYPHS = `${abs(".")}fonts/{fontstack}/{range}.pbf`;
const EMPTY = { type: "FeatureCollection", features: [] };
const LATER = ["context-labels", "labels", "focus"]; // hidden until the first draw
const HALO = { "text-color": "#222222", "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.6, "text-halo-blur": 0.4 };

function patternImage(kind) {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = kind === "hatch" ? (x + y) % size === 0 || (x + y) % size === 1 : x % 4 === 1 && y % 4 === 1;
      const i = (y * size + x) * 4;
      const [r, g, b] = kind === "hatch" ? [120, 120, 120] : [70, 70, 70];
      data.set(on ? [r, g, b, 255] : [0, 0, 0, 0], i);
    }
  }
  return { width: size, height: size, data };
}

/** GeoJSON points of areas' names, from /api/areas's label points. */
function labelPoints(areas) {
  const features = (areas || []).filter((a) => a.label)
    .map((a) => ({ type: "Feature", geometry: { type: "Point", coordinates: a.label }, properties: { code: a.code, name: a.name } }));
  return { type: "FeatureCollection", features };
}

/** A checkbox on the map, present only where the basemap has water polygons. */
class LandOnlyControl {
  constructor(view) { this.view = view; }

  onAdd() {
    this.box = document.createElement("label");
    this.box.className = "maplibregl-ctrl maplibregl-ctrl-group land-only";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.addEventListener("change", () => this.view.setLandOnly(input.checked));
    this.text = document.createElement("span");
    this.text.textContent = t("land_only");
    this.box.append(input, this.text);
    return this.box;
  }

  onRemove() { this.box.remove(); }
}

/** A vector source's tiles from its TileJSON (saving the map a request), or the TileJSON's URL. The tiles
 * may be the app's or those of seeded PMTiles archives (pmtiles://) on a static host. */
async function inline(tilejson, level) {
  if (!tilejson) return { url: abs(`tiles/${level}.json`) };
  const { tiles, minzoom, maxzoom, bounds, attribution } = tilejson;
  if (tiles.some((url) => url.startsWith("pmtiles://"))) await pmtiles();
  return { tiles, minzoom, maxzoom, bounds, attribution };
}

export class MapView {
  constructor(container, { onHover = () => {}, onClick = () => {}, onMove = () => {}, label = "" } = {}) {
    this.level = null;
    this.kommun = null;
    this.hovered = null;
    this.config = {};
    this.context = null;
    this.selected = new Set();
    this.states = new Map();
    this.drawn = new Set();
    this.onHover = onHover;
    this.onClick = onClick;
    this.shown = false; // drawn once (with what the first view needs): then the rest is shown
    const config = getJSON("api/config", { optional: true }); // asked for now, while the map sets up
    this.map = new maplibregl.Map({
      container,
      style: {
        version: 8,
        glyphs: GLYPHS,
        sources: {},
        layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } }],
      },
      center: [15.5, 62],
      zoom: 3.6,
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 0,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    const canvas = this.map.getCanvas();
    canvas.setAttribute("aria-label", label);
    canvas.setAttribute("role", "application");
    this.ready = new Promise((resolve) => this.map.once("style.load", async () => {
      this.map.addImage("bm-hatch", patternImage("hatch"));
      this.map.addImage("bm-dots", patternImage("dots"));
      try {
        this.config = (await config) || {};
        this.water = await addBasemap(this.map, this.config);
      } catch (error) {
        console.warn("basemap not drawn:", error);
      }
      if (this.water) this.map.addControl(new LandOnlyControl(this), "top-right");
      this.map.addSource("area-labels", { type: "geojson", data: EMPTY });
      resolve();
    }));
    this.map.on("mousemove", "fill", (e) => {
      const feature = e.features && e.features[0];
      if (!feature) return;
      this.map.getCanvas().style.cursor = "pointer";
      this.hover(feature.properties.code);
      this.onHover(feature.properties, e.point);
    });
    this.map.on("mouseleave", "fill", () => {
      this.map.getCanvas().style.cursor = "";
      this.hover(null);
      this.onHover(null);
    });
    this.map.on("click", "fill", (e) => {
      const feature = e.features && e.features[0];
      if (feature) this.onClick(feature.properties, e.originalEvent.shiftKey || e.originalEvent.ctrlKey || e.originalEvent.metaKey);
    });
    this.map.on("moveend", () => onMove(this.map));
  }

  /** The light default basemap, always drawn: municipality borders (dashed) and names, county borders. */
  addContext(levels) {
    if (!levels.includes("kommun")) return this.ready;
    this.context = this.context || this.drawContext(levels); // once, however many renders ask at a time
    return this.context;
  }

  async drawContext(levels) {
    const lan = levels.includes("lan");
    const [kommunTiles, lanTiles] = await Promise.all([
      tileJSON("kommun").then((tilejson) => inline(tilejson, "kommun")),
      lan && tileJSON("lan").then((tilejson) => inline(tilejson, "lan")),
      this.ready,
    ]);
    this.map.addSource("context", { type: "vector", ...kommunTiles, promoteId: "code" });
    this.map.addLayer({ id: "context-line", type: "line", source: "context", "source-layer": "kommun",
      paint: { "line-color": "#6b6b66", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.6, 10, 1.6], "line-dasharray": [3, 2] } });
    if (lan) {
      this.map.addSource("context-lan", { type: "vector", ...lanTiles });
      this.map.addLayer({ id: "context-lan", type: "line", source: "context-lan", "source-layer": "lan",
        paint: { "line-color": "#55554f", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.9, 10, 2.2] } });
    }
    this.map.addSource("kommun-labels", { type: "geojson", data: EMPTY });
    this.map.addLayer({ id: "context-labels", type: "symbol", source: "kommun-labels", minzoom: 5,
      layout: { "text-field": ["get", "name"], "text-font": FONT, "text-size": 12, "text-max-width": 8, visibility: this.visibility() }, paint: HALO });
    this.setLabelZoom();
    api.areas("kommun").then((kommuner) => this.map.getSource("kommun-labels").setData(labelPoints(kommuner)))
      .catch((error) => console.warn("municipality names not drawn:", error));
  }

  /** "visible" once the map has been drawn (or something is selected), else "none": for the layers that
   * the first draw can do without. */
  visibility() {
    return this.shown || this.selected.size ? "visible" : "none";
  }

  /** After the first draw: show what was held back (once). */
  showRest() {
    if (this.shown) return;
    this.shown = true;
    for (const id of LATER) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, "visibility", "visible");
    this.applyStates();
  }

  /** Municipality names until the level's own labels take over (at a zoom the deployer may configure). */
  setLabelZoom() {
    const labelZoom = (this.config.label_minzoom || {})[this.level] ?? 10;
    if (this.map.getLayer("context-labels")) this.map.setLayerZoomRange("context-labels", 5, labelZoom);
    if (this.map.getLayer("labels")) this.map.setLayerZoomRange("labels", labelZoom, 24);
  }

  /** Show a level's areas; its TileJSON (when the page has it) is given inline, saving the map a request. */
  async setLevel(level, tilejson = null) {
    const [source] = await Promise.all([inline(tilejson, level), this.ready]);
    if (level === this.level) return;
    const map = this.map;
    map.setMinZoom(Math.max(0, tilejson ? tilejson.minzoom : 0));
    for (const id of ["fill", "no-data", "suppressed", "land-only", "outline", "municipality", "focus"]) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource(SOURCE)) map.removeSource(SOURCE);
    this.level = level;
    this.states = new Map();
    this.drawn = new Set(); // codes whose state c is set in the (new) source
    map.addSource(SOURCE, { type: "vector", ...source, promoteId: "code" });
    const base = { source: SOURCE, "source-layer": level };
    const before = map.getLayer("context-line") ? "context-line" : undefined;
    map.addLayer({ ...base, id: "fill", type: "fill", paint: { "fill-color": OUTSIDE, "fill-opacity": ["case", ["==", STATE, -9], 0.45, 0.9], "fill-antialias": false } }, before);
    map.addLayer({ ...base, id: "no-data", type: "fill", layout: { visibility: "none" }, paint: { "fill-pattern": "bm-hatch", "fill-opacity": ["case", ["==", STATE, -1], 0.7, 0], "fill-antialias": false } }, before);
    map.addLayer({ ...base, id: "suppressed", type: "fill", layout: { visibility: "none" }, paint: { "fill-pattern": "bm-dots", "fill-opacity": ["case", ["==", STATE, -2], 0.9, 0], "fill-antialias": false } }, before);
    if (this.water) {
      const { source, sourceLayer, filter, color } = this.water;
      map.addLayer({ id: "land-only", type: "fill", source, ...(sourceLayer ? { "source-layer": sourceLayer } : {}),
        filter: filter || ["==", ["geometry-type"], "Polygon"], layout: { visibility: this.landOnly ? "visible" : "none" }, paint: { "fill-color": color } }, before);
    }
    map.addLayer({ ...base, id: "outline", type: "line", paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.2, 10, 0.8, 14, 1.6], "line-opacity": 0.9 } }, before);
    map.addLayer({ ...base, id: "municipality", type: "line", filter: ["==", ["get", "kommun"], this.kommun || ""], paint: { "line-color": "#4d4d4d", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.3, 10, 0.9, 14, 1.8] } }, before);
    map.addLayer({
      ...base, id: "focus", type: "line", layout: { visibility: this.visibility() },
      paint: {
        "line-color": ["case", ["boolean", ["feature-state", "sel"], false], "#000000", "#1f5fbf"],
        "line-width": 3,
        "line-opacity": ["case", ["any", ["boolean", ["feature-state", "sel"], false], ["boolean", ["feature-state", "hover"], false]], 1, 0],
      },
    }, before);
    if (!map.getLayer("labels")) {
      map.addLayer({ id: "labels", type: "symbol", source: "area-labels",
        layout: { "text-field": ["get", "name"], "text-font": FONT, "text-size": 12, "text-max-width": 7, "text-padding": 4, visibility: this.visibility() }, paint: HALO });
    }
    this.setLabelZoom();
    this.applyStates();
    this.setSelected([...this.selected]);
    this.updateLabels();
    if (!this.shown) this.idle().then(() => this.showRest());
  }

  /** Draw the choropleth on land only: the basemap's water over it, in the basemap's water colour. */
  setLandOnly(on) {
    this.landOnly = on;
    if (this.map.getLayer("land-only")) this.map.setLayoutProperty("land-only", "visibility", on ? "visible" : "none");
  }

  /** Names of the municipality's areas, one point each (from /api/areas, which the page loads anyway). */
  async updateLabels() {
    await this.ready;
    const { level, kommun } = this;
    const areas = level && kommun ? await api.areas(level, kommun) : [];
    if (level === this.level && kommun === this.kommun) this.map.getSource("area-labels").setData(labelPoints(areas));
  }

  setKommun(kommun) {
    const changed = kommun !== this.kommun;
    this.kommun = kommun;
    if (changed && this.level) this.updateLabels();
    if (this.map.getLayer("municipality")) this.map.setFilter("municipality", ["==", ["get", "kommun"], kommun || ""]);
  }

  /**
   * Colour areas: states maps code → class index (-1 no data, -2 suppressed); colors are the classes'
   * colours and noData/suppressed those of the legend's no-data and suppressed rows.
   */
  paint(states, colors, { noData, suppressed }) {
    this.states = states;
    this.colors = colors;
    this.statusColors = [noData, suppressed];
    if (this.water) this.map.getContainer().querySelector(".land-only span").textContent = t("land_only");
    this.applyStates();
  }

  applyStates() {
    if (!this.level || !this.map.getSource(SOURCE)) return;
    const target = { source: SOURCE, sourceLayer: this.level };
    // clear areas no longer in scope by value: removeFeatureState on the whole layer would hide every state
    // until the next frame (getFeatureState answers {} while a layer-wide removal is pending)
    for (const code of this.drawn) if (!this.states.has(code)) this.map.setFeatureState({ ...target, id: code }, { c: null });
    for (const [code, c] of this.states) this.map.setFeatureState({ ...target, id: code }, { c });
    this.drawn = new Set(this.states.keys());
    const states = new Set(this.states.values()); // the patterns are drawn where some area needs them
    this.map.setLayoutProperty("no-data", "visibility", this.shown || states.has(-1) ? "visible" : "none");
    this.map.setLayoutProperty("suppressed", "visibility", this.shown || states.has(-2) ? "visible" : "none");
    if (this.colors) this.paintOnly();
  }

  paintOnly() {
    const expression = ["match", STATE, -1, this.statusColors[0], -2, this.statusColors[1]];
    this.colors.forEach((color, i) => expression.push(i, color));
    expression.push(OUTSIDE);
    this.map.setPaintProperty("fill", "fill-color", expression);
  }

  hover(code) {
    if (!this.level) return;
    const target = { source: SOURCE, sourceLayer: this.level };
    if (this.hovered && this.hovered !== code) this.map.setFeatureState({ ...target, id: this.hovered }, { hover: false });
    if (code) {
      this.showRest();
      this.map.setFeatureState({ ...target, id: code }, { hover: true });
    }
    this.hovered = code;
  }

  setSelected(codes) {
    const target = { source: SOURCE, sourceLayer: this.level };
    if (this.level && this.map.getSource(SOURCE)) {
      for (const code of this.selected) this.map.setFeatureState({ ...target, id: code }, { sel: false });
      for (const code of codes) this.map.setFeatureState({ ...target, id: code }, { sel: true });
    }
    this.selected = new Set(codes);
    if (codes.length) this.showRest();
  }

  fit(bbox, animate = false) {
    if (!bbox) return;
    this.map.resize();
    this.map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 24, animate, maxZoom: 13 });
  }

  /** Resolves when the map is idle (tiles loaded and drawn). */
  idle() {
    return new Promise((resolve) => {
      if (this.map.loaded() && this.map.areTilesLoaded()) resolve();
      else this.map.once("idle", resolve);
    });
  }
}
