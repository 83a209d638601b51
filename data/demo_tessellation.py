"""Geometric building blocks of the demo geography: seed sampling, Voronoi tessellation and grouping.

The tessellation nodes all Voronoi edges and the region outline in one snap-rounded overlay, so the cells
form an exact coverage (shared borders have identical vertices) on a ``grid``-metre grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon


def voronoi_regions(centres: np.ndarray, within: Polygon) -> list:
    """The Voronoi cell of every centre, clipped to ``within``, in the order of ``centres``."""
    if len(centres) == 1:
        return [within]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=within))
    order = shapely.STRtree(cells).query(shapely.points(centres), predicate="within")
    result = [None] * len(centres)
    for point_index, cell_index in zip(*order, strict=True):
        result[point_index] = shapely.intersection(cells[cell_index], within)
    return result


def sample_points(
    n: int,
    region,
    centre: np.ndarray,
    sigma: float,
    core_share: float,
    min_core: float,
    rng: np.random.Generator,
    grid: float = 1.0,
) -> np.ndarray:
    """``n`` points in ``region``: ``core_share`` of them normal around ``centre`` (at least ``min_core``
    apart), the rest spread evenly over the region (spacing relaxed until they fit)."""
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    n_core = round(n * core_share)
    accepted = np.empty((0, 2))
    min_flat = 0.6 * np.sqrt(region.area / max(n, 1))
    for attempt in range(120):
        if len(accepted) >= n:
            break
        coring = len(accepted) < n_core and attempt < 40
        target = n_core if coring else n
        m = max(8 * (target - len(accepted)), 64)
        if coring:
            candidates = centre + rng.normal(0.0, sigma, (m, 2))
        else:
            candidates = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        candidates = candidates[shapely.contains_xy(region, candidates[:, 0], candidates[:, 1])]
        accepted = _thin(accepted, candidates, min_core if coring else min_flat, target)
        if not coring:
            min_flat = max(min_flat * 0.85, min_core)
    if len(accepted) < n:
        raise RuntimeError(f"could not place {n} DeSO seeds in a region of {region.area / 1e6:.0f} km²")
    return np.round(accepted / grid) * grid


def _thin(accepted: np.ndarray, candidates: np.ndarray, min_dist: float, n: int) -> np.ndarray:
    out = np.empty((n, 2))
    count = len(accepted)
    out[:count] = accepted
    limit = min_dist * min_dist
    for point in candidates:
        if count >= n:
            break
        if count and ((out[:count] - point) ** 2).sum(axis=1).min() < limit:
            continue
        out[count] = point
        count += 1
    return out[:count]


@dataclass(frozen=True)
class Detail:
    """How the straight edges of a tessellation are made into real-looking borders (``fractal_lines``)."""

    max_levels: int
    """At most ``2 ** max_levels`` segments per edge."""
    spacing: float
    """Metres: an edge is split while its segments stay at least this long."""
    roughness: float
    """Standard deviation of a midpoint's sideways shift, as a share of its segment's length."""


def fractal_lines(
    starts: np.ndarray, ends: np.ndarray, levels: int, roughness: float, rng: np.random.Generator
) -> np.ndarray:
    """``(n, 2 ** levels + 1, 2)``: midpoint displacement from each start to its end (both kept exactly);
    every midpoint moves sideways by a normal share ``roughness`` of its segment's length."""
    n, size = len(starts), 2**levels
    points = np.empty((n, size + 1, 2))
    points[:, 0], points[:, -1] = starts, ends
    step = size
    while step > 1:
        half = step // 2
        a, b = points[:, 0:-1:step], points[:, step::step]
        d = b - a
        shift = rng.normal(0.0, roughness, (n, d.shape[1], 1))
        points[:, half::step] = (a + b) / 2 + shift * np.stack([-d[..., 1], d[..., 0]], axis=-1)
        step = half
    return points


def _detailed(lines: np.ndarray, detail: Detail, rng: np.random.Generator, grid: float):
    """Noded linework with every straight piece (two vertices) replaced by a fractal line between the same
    nodes, drawn once per piece so both neighbours get the very same vertices; noded again on ``grid``."""
    coordinates, index = shapely.get_coordinates(lines, return_index=True)
    straight = np.flatnonzero(shapely.get_num_coordinates(lines) == 2)
    first = np.searchsorted(index, straight)
    starts, ends = coordinates[first], coordinates[first + 1]
    length = np.hypot(*(ends - starts).T)
    cap = detail.max_levels - rng.integers(0, 2, len(straight))
    levels = np.clip(np.floor(np.log2(np.maximum(length, 1e-9) / detail.spacing)), 0, cap).astype(int)
    out = [lines[shapely.get_num_coordinates(lines) != 2]]
    for level in np.unique(levels):
        chosen = levels == level
        curves = fractal_lines(starts[chosen], ends[chosen], int(level), detail.roughness, rng)
        flat = curves.reshape(-1, 2)
        out.append(shapely.linestrings(flat, indices=np.repeat(np.arange(len(curves)), curves.shape[1])))
    return shapely.union_all(np.concatenate(out), grid_size=grid)


def tessellate(
    seeds: np.ndarray,
    outline,
    grid: float = 1.0,
    detail: Detail | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi cells of ``seeds`` clipped to ``outline`` (a Polygon or MultiPolygon); returns (kept seed
    indices, cell geometries). With ``detail`` (and ``rng``) the cells' shared borders are fractal lines."""
    edges = shapely.voronoi_polygons(
        shapely.multipoints(seeds),
        extend_to=shapely.box(*outline.bounds).buffer(2_000.0, join_style="mitre"),
        only_edges=True,
    )
    lines = shapely.union_all([edges, outline.boundary], grid_size=grid)
    if detail is not None:
        lines = _detailed(shapely.get_parts(lines), detail, rng or np.random.default_rng(0), grid)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))
    inside = shapely.point_on_surface(faces)
    shapely.prepare(outline)
    faces = faces[shapely.contains_xy(outline, shapely.get_x(inside), shapely.get_y(inside))]
    owner = shapely.STRtree(shapely.points(seeds)).query_nearest(shapely.point_on_surface(faces))[1]
    frame = pd.DataFrame({"owner": owner, "face": faces})
    cells = frame.groupby("owner")["face"].agg(
        lambda parts: parts.iloc[0] if len(parts) == 1 else shapely.coverage_union_all(parts.to_numpy())
    )
    return cells.index.to_numpy(), cells.to_numpy()


def make_contiguous(
    cells: np.ndarray, labels: np.ndarray, within: np.ndarray | None = None, rounds: int = 8
) -> np.ndarray:
    """Relabel cells cut off from the main part of their group to the neighbouring group (with the same
    ``within`` value) they share the longest border with."""
    labels = labels.copy()
    tree = shapely.STRtree(cells)
    inside = shapely.point_on_surface(cells)
    for _ in range(rounds):
        moved = False
        for label in pd.unique(labels):
            members = np.flatnonzero(labels == label)
            if len(members) < 2:
                continue
            parts = shapely.get_parts(shapely.coverage_union_all(cells[members]))
            if len(parts) < 2:
                continue
            main = parts[np.argmax(shapely.area(parts))]
            for i in members[~shapely.within(inside[members], main)]:
                neighbours = tree.query(cells[i], predicate="intersects")
                neighbours = neighbours[labels[neighbours] != label]
                if within is not None:
                    neighbours = neighbours[within[neighbours] == within[i]]
                if len(neighbours) == 0:
                    continue
                shared = shapely.length(
                    shapely.intersection(cells[i].boundary, shapely.boundary(cells[neighbours]))
                )
                by_label = pd.Series(shared).groupby(labels[neighbours]).sum()
                if by_label.max() > 0:
                    labels[i] = by_label.idxmax()
                    moved = True
        if not moved:
            break
    return labels


def kmeans_groups(xy: np.ndarray, k: int, iterations: int = 12) -> np.ndarray:
    """Deterministic k-means (farthest-point start) of points into ``k`` groups; labels 0..k'-1."""
    if k <= 1 or len(xy) <= k:
        return np.arange(len(xy)) if len(xy) <= k else np.zeros(len(xy), dtype=int)
    first = np.argmin(((xy - xy.mean(axis=0)) ** 2).sum(axis=1))
    chosen = [first]
    distance = ((xy - xy[first]) ** 2).sum(axis=1)
    while len(chosen) < k:
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, ((xy - xy[chosen[-1]]) ** 2).sum(axis=1))
    centres = xy[chosen]
    for _ in range(iterations):
        labels = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        centres = np.array(
            [xy[labels == j].mean(axis=0) if (labels == j).any() else centres[j] for j in range(k)]
        )
    return np.unique(labels, return_inverse=True)[1]
