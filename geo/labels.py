"""Where an area's name goes on a map: one point inside each area, so a name is written once however many
tiles the area spans (a label layer on the tiles themselves repeats it in every tile the polygon crosses)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def label_points(areas: gpd.GeoSeries) -> list[list[float]]:
    """A point inside each area (on its surface, a point of its widest part), as WGS84 ``[lon, lat]``
    rounded to about a metre."""
    points = gpd.GeoSeries(shapely.point_on_surface(areas.values), crs=areas.crs).to_crs(4326)
    coords = np.round(shapely.get_coordinates(points.values), 5)
    return coords.tolist()
