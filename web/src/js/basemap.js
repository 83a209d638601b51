// The basemap under the choropleth, as the deployer configured it (/api/config): a MapLibre style, XYZ raster
// tiles or a PMTiles archive (often a file the app serves itself), or the light default, which is nothing
// but the background and the dataset's own boundaries and names (added by MapView). A vector basemap's
// layers are drawn generically: water and land polygons filled, lines thin and grey; its symbols are left
// out (their fonts are not served here), the dataset's labels name the places.
// The pmtiles package loads (its own chunk) only where an archive is read.

const WATER = "#c9dbe6";
const LAND = "#f1efe9";
const LINE = "#c4c1b8";
const WATER_NAME = /water|ocean|sea|lake|vatten|hav|sjö/i;
const LAND_NAME = /earth|land/i;

let protocol = null;

/** MapLibre reads pmtiles:// URLs (a basemap archive, or the data tiles when the deployment serves them
 * from seeded archives: their TileJSON then names pmtiles://…/deso.pmtiles/{z}/{x}/{y}); resolves to
 * {protocol, PMTiles}. */
export function pmtiles() {
  protocol = protocol || import("pmtiles").then(({ PMTiles, Protocol }) => {
    const handler = new Protocol();
    maplibregl.addProtocol("pmtiles", handler.tile);
    return { protocol: handler, PMTiles };
  });
  return protocol;
}

/** Adds the basemap's sources and layers (before any other than the background); resolves to its water
 * layer ({source, sourceLayer, filter, color}) when it has one, for drawing the choropleth on land only. */
export async function addBasemap(map, config) {
  const basemap = (config && config.basemap) || { kind: "default" };
  if (basemap.kind === "xyz") {
    map.addSource("basemap", { type: "raster", tiles: [basemap.url], tileSize: 256 });
    map.addLayer({ id: "basemap-raster", type: "raster", source: "basemap" });
    return null;
  }
  if (basemap.kind === "style") return addStyle(map, await (await fetch(basemap.url)).json());
  if (basemap.kind !== "pmtiles") return null;
  const { protocol: handler, PMTiles } = await pmtiles();
  const archive = new PMTiles(basemap.url);
  handler.add(archive);
  const header = await archive.getHeader();
  const url = `pmtiles://${basemap.url}`;
  if (header.tileType !== 1) { // raster (png, jpeg, webp, avif)
    map.addSource("basemap", { type: "raster", url, tileSize: 256 });
    map.addLayer({ id: "basemap-raster", type: "raster", source: "basemap" });
    return null;
  }
  const metadata = await archive.getMetadata();
  map.addSource("basemap", { type: "vector", url });
  let water = null;
  for (const layer of metadata.vector_layers || []) {
    const base = { source: "basemap", "source-layer": layer.id };
    const polygons = ["==", ["geometry-type"], "Polygon"];
    if (WATER_NAME.test(layer.id)) {
      map.addLayer({ ...base, id: `basemap-${layer.id}`, type: "fill", filter: polygons, paint: { "fill-color": WATER } });
      water = water || { source: "basemap", sourceLayer: layer.id, color: WATER };
    } else if (LAND_NAME.test(layer.id)) {
      map.addLayer({ ...base, id: `basemap-${layer.id}`, type: "fill", filter: polygons, paint: { "fill-color": LAND } });
    } else {
      map.addLayer({ ...base, id: `basemap-${layer.id}`, type: "line", filter: ["==", ["geometry-type"], "LineString"],
        paint: { "line-color": LINE, "line-width": ["interpolate", ["linear"], ["zoom"], 6, 0.3, 14, 1.5] } });
    }
  }
  return water;
}

/** A MapLibre style's sources and its layers other than symbols; its water layer (a fill whose layer or
 * source layer is named so), if it has one. */
function addStyle(map, style) {
  for (const [id, source] of Object.entries(style.sources || {})) map.addSource(`basemap-${id}`, source);
  let water = null;
  for (const layer of style.layers || []) {
    if (layer.type === "symbol") continue;
    const copy = { ...layer, id: `basemap-${layer.id}` };
    if (layer.source) copy.source = `basemap-${layer.source}`;
    map.addLayer(copy);
    if (!water && layer.type === "fill" && WATER_NAME.test(layer["source-layer"] || layer.id)) {
      const color = (layer.paint || {})["fill-color"];
      water = { source: copy.source, sourceLayer: layer["source-layer"], filter: layer.filter, color: typeof color === "string" ? color : WATER };
    }
  }
  return water;
}
