// Classification mirroring styles/classify.py: breaks are (min, t1..t_{k-1}, max); a value's class is the
// number of inner thresholds at or below it (MapLibre "step").

const sortNum = (a) => Float64Array.from(a).sort();

function quantile(sorted, q) {
  // numpy's default (linear) quantile
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function countClasses(thresholds, present) {
  const counts = new Array(thresholds.length + 1).fill(0);
  for (const v of present) counts[classIndex(v, thresholds)] += 1;
  return counts;
}

/** Index of the class of value v for inner thresholds (searchsorted side="right"). */
export function classIndex(v, thresholds) {
  let i = 0;
  while (i < thresholds.length && v >= thresholds[i]) i += 1;
  return i;
}

function finish(method, present, inner, { outer = null, dropEmpty = true } = {}) {
  const low = outer ? outer[0] : present[0];
  const high = outer ? outer[1] : present[present.length - 1];
  let thresholds = [...new Set(inner.map(Number))].sort((a, b) => a - b);
  if (dropEmpty) {
    thresholds = thresholds.filter((t) => t > low && t <= high);
    const counts = countClasses(thresholds, present);
    thresholds = thresholds.filter((_, i) => counts[i + 1] > 0);
  }
  const counts = countClasses(thresholds, present);
  return { method, breaks: [low, ...thresholds, high], thresholds, counts, k: counts.length };
}

function jenksThresholds(sorted, k) {
  // Fisher-Jenks by dynamic programming on the sorted values (exact; municipalities have few areas).
  const n = sorted.length;
  const sum = new Float64Array(n + 1);
  const sq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    sum[i + 1] = sum[i] + sorted[i];
    sq[i + 1] = sq[i] + sorted[i] * sorted[i];
  }
  const ssd = (i, j) => {
    const s = sum[j] - sum[i];
    return sq[j] - sq[i] - (s * s) / (j - i);
  };
  const cost = Array.from({ length: k + 1 }, () => new Float64Array(n + 1).fill(Infinity));
  const back = Array.from({ length: k + 1 }, () => new Int32Array(n + 1));
  cost[0][0] = 0;
  for (let c = 1; c <= k; c++) {
    for (let j = c; j <= n; j++) {
      for (let i = c - 1; i < j; i++) {
        const v = cost[c - 1][i] + ssd(i, j);
        if (v < cost[c][j]) {
          cost[c][j] = v;
          back[c][j] = i;
        }
      }
    }
  }
  const starts = [];
  let j = n;
  for (let c = k; c >= 1; c--) {
    const i = back[c][j];
    if (c > 1) starts.unshift(sorted[i]);
    j = i;
  }
  return starts;
}

/**
 * Classify values (null/NaN = missing) with method into k classes.
 * Methods: quantiles, equal_interval, natural_breaks, std_mean, diverging (symmetric around centre).
 */
export function classify(values, method = "quantiles", k = 5, { centre = 0 } = {}) {
  const present = sortNum(values.filter((v) => v !== null && v !== undefined && Number.isFinite(v)));
  const missing = values.length - present.length;
  if (!present.length) return { method, breaks: [], thresholds: [], counts: [], k: 0, missing };
  const low = present[0];
  const high = present[present.length - 1];
  if (method === "diverging") {
    k += 1 - (k % 2);
    const reach = Math.max(Math.abs(low - centre), Math.abs(high - centre));
    if (reach === 0) return { method, breaks: [centre, centre], thresholds: [], counts: [present.length], k: 1, missing, centre };
    const width = (2 * reach) / k;
    const offsets = Array.from({ length: Math.floor(k / 2) }, (_, i) => width * (i + 0.5));
    const inner = [...offsets.slice().reverse().map((o) => centre - o), ...offsets.map((o) => centre + o)];
    return { ...finish(method, present, inner, { outer: [centre - reach, centre + reach], dropEmpty: false }), missing, centre };
  }
  if (low === high) return { method, breaks: [low, high], thresholds: [], counts: [present.length], k: 1, missing };
  k = Math.min(k, new Set(present).size);
  let inner;
  if (method === "equal_interval") inner = Array.from({ length: k - 1 }, (_, i) => low + ((high - low) * (i + 1)) / k);
  else if (method === "natural_breaks") inner = jenksThresholds(present, k);
  else if (method === "std_mean") {
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    const sd = Math.sqrt(present.reduce((a, b) => a + (b - mean) ** 2, 0) / (present.length - 1));
    inner = Array.from({ length: k - 1 }, (_, i) => mean + sd * (i + 1 - k / 2));
  } else inner = Array.from({ length: k - 1 }, (_, i) => quantile(present, (i + 1) / k));
  return { ...finish(method, present, inner, { dropEmpty: method !== "equal_interval" }), missing };
}
