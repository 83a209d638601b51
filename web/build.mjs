// Copies the app's sources and the front-end libraries it uses from node_modules into dist/, which the
// Flask app serves (index.html at / and /embed, the rest under /static/). No bundler: plain ES modules,
// nothing fetched from third parties at run time.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const vendor = {
  "maplibre-gl/dist/maplibre-gl.js": "vendor/maplibre-gl.js",
  "maplibre-gl/dist/maplibre-gl.css": "vendor/maplibre-gl.css",
  "maplibre-gl/LICENSE.txt": "vendor/maplibre-gl.LICENSE.txt",
};

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist/vendor", { recursive: true });
for (const [from, to] of Object.entries(vendor)) cpSync(`node_modules/${from}`, `dist/${to}`);
cpSync("src", "dist", { recursive: true });
console.log("built web/dist");
