"""Where an area's name goes on a map: one point inside each area, so a name is written once however many
tiles the area spans (a label layer on the tiles themselves repeats it in every tile the polygon crosses)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def label_points(areas: gpd.GeoSeries) -> list[list[float] | None]:
    """A point inside each area (on its surface), as WGS84 ``[lon, lat]`` rounded to about a metre; None
    for an area without geometry."""
    points = gpd.GeoSeries(shapely.point_on_surface(areas.values), crs=areas.crs).to_crs(4326).values
    coords = np.round(np.c_[shapely.get_x(points), shapely.get_y(points)], 5)
    return [None if np.isnan(xy).any() else xy.tolist() for xy in coords]
