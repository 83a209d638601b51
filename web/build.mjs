// Builds dist/, which the Flask app serves: index.html at / and /embed, every other file under /static/.
// The app's ES modules are bundled and minified by esbuild, the front-end libraries come from node_modules,
// and every asset gets a content hash in its name (so it can be cached forever) and gzip and brotli copies
// beside it (so it is compressed once, here, not per request). dist/manifest.json maps each source name to
// its built name. Modules imported with import() (the pmtiles reader, needed only where archives are read)
// are chunks loaded on first use; chunks the entry imports statically, if any, are named in index.html as
// modulepreload so they load beside it. Nothing is fetched from third parties at run time.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const DIST = "dist";
const STATIC = join(DIST, "static");

rmSync(DIST, { recursive: true, force: true });
mkdirSync(STATIC, { recursive: true });

/** Copy a file under a name carrying its content hash; returns the new name. */
function hashed(path, name = basename(path)) {
  const body = readFileSync(path);
  const digest = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const ext = extname(name);
  const target = `${name.slice(0, -ext.length)}-${digest}${ext}`;
  writeFileSync(join(STATIC, target), body);
  return target;
}

const manifest = {};
const ENTRIES = { app: "src/js/main.js", style: "src/css/app.css" };
const bundled = await build({
  entryPoints: ENTRIES,
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  target: ["es2020"],
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  outdir: STATIC,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
let preloads = [];
for (const [output, meta] of Object.entries(bundled.metafile.outputs)) {
  if (output.endsWith(".map")) continue;
  const entry = Object.values(ENTRIES).includes(meta.entryPoint);
  const source = entry ? meta.entryPoint.replace(/^src\//, "") : `chunks/${basename(output)}`; // chunks: import()ed
  manifest[source] = basename(output);
  if (source === "js/main.js") {
    preloads = meta.imports.filter((i) => i.kind === "import-statement").map((i) => basename(i.path));
  }
}
manifest["vendor/maplibre-gl.js"] = hashed("node_modules/maplibre-gl/dist/maplibre-gl.js");
manifest["vendor/maplibre-gl.css"] = hashed("node_modules/maplibre-gl/dist/maplibre-gl.css");
copyFileSync("node_modules/maplibre-gl/LICENSE.txt", join(STATIC, "maplibre-gl.LICENSE.txt"));

// The page names its assets by their source path; point it at the built, hashed ones.
let html = readFileSync("src/index.html", "utf8").replace(
  '<script type="module" src="static/js/main.js"></script>',
  (tag) => [...preloads.map((name) => `<link rel="modulepreload" href="static/${name}">`), tag].join("\n"),
);
for (const [source, built] of Object.entries(manifest)) {
  html = html.replaceAll(`static/${source}`, `static/${built}`);
}
const unresolved = html.match(/static\/(?:js|css|vendor)\/[^"']+/g);
if (unresolved) throw new Error(`index.html names assets that were not built: ${unresolved.join(", ")}`);
writeFileSync(join(DIST, "index.html"), html);
writeFileSync(join(DIST, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");

// Precompressed copies: gzip for every client, brotli (smaller) for those that accept it.
let raw = 0, br = 0;
for (const name of readdirSync(STATIC)) {
  if (!/\.(js|css|txt|json|svg)$/.test(name)) continue;
  const body = readFileSync(join(STATIC, name));
  writeFileSync(join(STATIC, `${name}.gz`), gzipSync(body, { level: 9 }));
  const compressed = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(join(STATIC, `${name}.br`), compressed);
  raw += body.length;
  br += compressed.length;
}
console.log(`built web/dist: ${(raw / 1024).toFixed(0)} KiB of assets, ${(br / 1024).toFixed(0)} KiB brotli`);
