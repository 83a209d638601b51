import hashlib

import numpy as np
import pandas as pd
import pytest
import shapely

from data.demo import DEFAULT_AREAS, YEARS, DemoData, build_demo
from indicators.catalog import CATALOG
from indicators.model import AREA_COLUMNS, LEVELS, ParameterError


def digest(demo: DemoData) -> str:
    """A content hash of the areas (columns and WKB) and the value table."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(demo.areas[list(AREA_COLUMNS)], index=False).to_numpy().tobytes())
    for wkb in shapely.to_wkb(demo.areas.geometry.to_numpy()):
        h.update(wkb)
    values = demo.values.astype({"status": str})
    h.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo():
    return build_demo()


def test_same_seed_gives_identical_output_and_another_seed_does_not(demo):
    assert digest(build_demo()) == digest(demo)
    assert digest(build_demo(seed=7)) != digest(demo)


def test_default_demo_shape(demo):
    assert list(demo.areas.columns) == [*AREA_COLUMNS, "geometry"]
    assert demo.areas.crs.to_epsg() == 3006
    assert set(demo.areas["level"]) == set(LEVELS)
    assert (demo.areas["level"] == "deso").sum() == DEFAULT_AREAS
    assert list(demo.indicators) == list(CATALOG)
    assert {ind.source for ind in demo.indicators.values()} == {"Fiktiva data (demo)"}
    assert "fictional" in demo.dataset().attribution and "fictional" in demo.dataset().meta["title"]
    assert sorted(demo.values["year"].unique()) == list(YEARS)


def test_areas_parameter_scales_the_number_of_deso():
    demo = build_demo(areas=300, seed=3)
    levels = demo.areas["level"].value_counts()
    assert levels["deso"] == 300
    assert levels["kommun"] > 3
    assert levels["regso"] < levels["deso"]


@pytest.mark.parametrize("areas", [3, 10**6])
def test_too_few_or_too_many_areas_is_a_parameter_error(areas):
    with pytest.raises(ParameterError) as error:
        build_demo(areas=areas)
    assert error.value.parameter == "areas"


def test_dataset_wraps_the_demo(demo):
    dataset = demo.dataset()
    assert dataset.levels == LEVELS
    assert dataset.years == tuple(YEARS)
    wide = dataset.wide("kommun", 2023)
    assert list(wide.index) == ["0201", "0202", "0203"]
    population = demo.values.query(
        "indicator == 'population' and level == 'kommun' and year == 2023 and breakdown == 'total'"
    ).set_index("code")["value"]
    np.testing.assert_array_equal(wide["population"].to_numpy(), population.loc[wide.index].to_numpy())
