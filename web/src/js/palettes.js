// Colour schemes mirroring styles/palettes.py: the worse end looks the same whatever the indicator.
import { BREWER, KIND, AREA_TYPE_COLORS, NO_DATA, SUPPRESSED } from "./palettes_data.js";

export { AREA_TYPE_COLORS, NO_DATA, SUPPRESSED };
export const OUTSIDE = "#d9d9d6";

export function defaultPalette(direction, diverging = false) {
  if (diverging) return "RdBu";
  return direction === "neutral" ? "Blues" : "YlOrRd";
}

/** k colours for classes ordered low to high, oriented so that worse looks worse (colors_for in Python). */
export function colorsFor(name, k, direction = "neutral") {
  const scheme = BREWER[name] || BREWER.Blues;
  const kind = KIND[name] || "sequential";
  if (k <= 0) return [];
  const smallest = scheme["3"];
  let colors;
  if (k === 1) colors = [smallest[1]];
  else if (k < 3) colors = [smallest[0], smallest[2]];
  else colors = scheme[String(Math.min(k, 9))].slice();
  const flip = direction === (kind === "diverging" ? "higher_worse" : "higher_better");
  return flip ? colors.reverse() : colors;
}

export function areaTypeColors() {
  return [1, 2, 3, 4, 5].map((c) => AREA_TYPE_COLORS[String(c)]);
}
