"""Classification of indicator values into map classes.

Every numeric classification follows MapLibre's ``step`` semantics: class ``i`` holds the values ``v`` with
``breaks[i] <= v < breaks[i + 1]``, except that the first class is open below and the last class is open above
(it includes the maximum). A value exactly equal to an inner break therefore goes to the *upper* class, both
in :func:`assign` and on the map. NaN (and ±inf) are missing values: never classified, counted separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from indicators.measures.omradestyper import TYPE_NAMES_EN, TYPE_NAMES_SV
from indicators.model import BarometerError

Method = Literal[
    "quantiles", "equal_interval", "natural_breaks", "std_mean", "manual", "categorical", "diverging"
]
METHODS: tuple[str, ...] = (
    "quantiles",
    "equal_interval",
    "natural_breaks",
    "std_mean",
    "manual",
    "categorical",
    "diverging",
)
MIN_CLASSES, MAX_CLASSES = 2, 9
JENKS_SAMPLE = 4000
"""Fisher-Jenks is quadratic: above this many values it runs on this many evenly spaced order statistics."""


@dataclass(frozen=True)
class AreaType:
    """One of SCB's five områdestyper (RegSO area types by socioeconomic conditions)."""

    code: int
    name_sv: str
    name_en: str

    def name(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" else self.name_sv


AREA_TYPES: tuple[AreaType, ...] = tuple(
    AreaType(code, TYPE_NAMES_SV[code], TYPE_NAMES_EN[code]) for code in sorted(TYPE_NAMES_SV)
)


class ClassificationError(ValueError, BarometerError):
    """A bad classification option; ``option`` names it (``classes``, ``breaks``, ``method``, ``values``)."""

    def __init__(self, message: str, *, option: str) -> None:
        self.option = option
        super().__init__(f"option {option!r}: {message}")


@dataclass(frozen=True)
class Classification:
    """The result of classifying values.

    ``breaks`` has ``k + 1`` entries ``(min, t1, ..., t_{k-1}, max)``: the inner thresholds are the stops
    of a ``step`` expression, the outer ones the data range (for ``manual`` and ``diverging`` possibly
    wider). Breaks strictly increase, except that a last class holding only the maximum value has equal last
    two entries, as has a single class of equal values. ``breaks`` is empty when ``k == 0`` (all values
    missing) and for ``categorical``, whose classes are ``categories``.
    """

    method: str
    breaks: tuple[float, ...]
    counts: tuple[int, ...]
    k: int
    missing: int = 0
    categories: tuple[int, ...] = ()
    centre: float | None = None

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The ``k - 1`` inner breaks: the stops of a MapLibre ``step`` expression."""
        return self.breaks[1:-1]

    @property
    def is_categorical(self) -> bool:
        return self.method == "categorical"

    def bounds(self, i: int) -> tuple[float, float]:
        """Lower (inclusive) and upper (exclusive, except for the last class) bound of class ``i``."""
        return self.breaks[i], self.breaks[i + 1]

    def to_json(self) -> dict:
        return {
            "method": self.method,
            "breaks": list(self.breaks),
            "counts": list(self.counts),
            "k": self.k,
            "missing": self.missing,
            "categories": list(self.categories),
            "centre": self.centre,
        }


def pooled(values_by_year: Mapping[int, Sequence[float] | np.ndarray]) -> np.ndarray:
    """All years' values as one float array, so one classification serves every year of a time series."""
    arrays = [np.asarray(v, dtype=float).ravel() for _, v in sorted(values_by_year.items())]
    return np.concatenate(arrays) if arrays else np.empty(0)


def classify(
    values: Sequence[float] | np.ndarray,
    method: str = "quantiles",
    k: int = 5,
    *,
    breaks: Sequence[float] | None = None,
    centre: float = 0.0,
) -> Classification:
    """Classify ``values`` (missing = NaN) with ``method`` into ``k`` classes (2..9).

    ``k`` shrinks where the data cannot fill it (fewer distinct values, duplicate quantiles, thresholds
    outside the data range); all equal values give one class, all missing values zero. ``manual`` takes
    the inner thresholds in ``breaks`` (strictly increasing, 1..8 of them) and keeps empty classes.
    ``diverging`` makes equal-width classes symmetric around ``centre`` (reaching the largest deviation)
    with a neutral centre class, so an even ``k`` becomes ``k + 1``.
    ``categorical`` counts the five områdestyper (codes 1..5).
    """
    if method not in METHODS:
        raise ClassificationError(
            f"unknown method {method!r}; expected one of {', '.join(METHODS)}", option="method"
        )
    array = np.asarray(values, dtype=float).ravel()
    present = array[np.isfinite(array)]
    missing = int(array.size - present.size)
    if method == "categorical":
        return _categorical(present, missing)
    if method == "manual":
        thresholds = _manual_thresholds(breaks)
    else:
        _check_classes(k)
    if present.size == 0:
        return Classification(method, (), (), 0, missing, centre=centre if method == "diverging" else None)
    low, high = float(present.min()), float(present.max())
    if method == "manual":
        outer = (min(low, thresholds[0]), max(high, thresholds[-1]))
        return _finish(method, present, thresholds, missing, outer=outer, drop_empty=False)
    if method == "diverging":
        return _diverging(present, k, centre, missing)
    if low == high:
        return Classification(method, (low, high), (int(present.size),), 1, missing)
    k = min(k, int(np.unique(present).size))
    if method == "quantiles":
        inner = np.quantile(present, np.arange(1, k) / k)
    elif method == "equal_interval":
        inner = low + (high - low) * np.arange(1, k) / k
    elif method == "natural_breaks":
        inner = _jenks_thresholds(present, k)
    else:  # std_mean
        inner = present.mean() + present.std(ddof=1) * (np.arange(1, k) - k / 2)
    return _finish(method, present, inner, missing, drop_empty=method != "equal_interval")


def assign(values: Sequence[float] | np.ndarray, classification: Classification) -> np.ndarray:
    """The class index of each value (``-1`` for missing), exactly as MapLibre's ``step``/``match`` draw."""
    array = np.asarray(values, dtype=float).ravel()
    out = np.full(array.shape, -1, dtype=np.int64)
    finite = np.isfinite(array)
    if classification.is_categorical:
        for index, code in enumerate(classification.categories):
            out[finite & (array == code)] = index
        return out
    if classification.k == 0:
        return out
    thresholds = np.asarray(classification.thresholds, dtype=float)
    out[finite] = np.searchsorted(thresholds, array[finite], side="right")
    return out


def _check_classes(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ClassificationError(
            f"must be an integer from {MIN_CLASSES} to {MAX_CLASSES}, got {k!r}", option="classes"
        )


def _manual_thresholds(breaks: Sequence[float] | None) -> np.ndarray:
    if breaks is None or len(breaks) == 0:
        raise ClassificationError("manual classification needs at least one break", option="breaks")
    array = np.asarray(breaks, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(np.diff(array) <= 0):
        raise ClassificationError(
            f"must be finite and strictly increasing, got {list(breaks)}", option="breaks"
        )
    if len(array) + 1 > MAX_CLASSES:
        raise ClassificationError(
            f"at most {MAX_CLASSES - 1} breaks ({MAX_CLASSES} classes), got {len(array)}", option="breaks"
        )
    return array


def _finish(
    method: str,
    present: np.ndarray,
    inner: np.ndarray,
    missing: int,
    *,
    outer: tuple[float, float] | None = None,
    drop_empty: bool = True,
) -> Classification:
    """Clean the inner thresholds (unique, inside the data range, no empty class) and count the classes."""
    low, high = (float(present.min()), float(present.max())) if outer is None else outer
    thresholds = np.unique(np.asarray(inner, dtype=float))
    if drop_empty:
        # A threshold at or below the minimum empties the first class; one above the maximum the last.
        thresholds = thresholds[(thresholds > low) & (thresholds <= high)]
        counts = _counts(thresholds, present)
        # Class i+1 is empty: drop the threshold that opens it (merging it into its neighbour).
        thresholds = thresholds[counts[1:] > 0]
    counts = _counts(thresholds, present)
    breaks = (low, *(float(t) for t in thresholds), high)
    return Classification(method, breaks, tuple(int(c) for c in counts), len(counts), missing)


def _counts(thresholds: np.ndarray, present: np.ndarray) -> np.ndarray:
    return np.bincount(np.searchsorted(thresholds, present, side="right"), minlength=len(thresholds) + 1)


def _jenks_thresholds(present: np.ndarray, k: int) -> np.ndarray:
    """Fisher-Jenks classes turned into step thresholds: the smallest value of each next class.

    On a sample, the threshold between two sampled classes goes into the widest gap of all values between
    the last sampled value of one class and the first of the next.
    """
    ordered = np.sort(present)
    sample = ordered
    if ordered.size > JENKS_SAMPLE:
        sample = np.quantile(ordered, np.linspace(0, 1, JENKS_SAMPLE), method="inverted_cdf")
    k = min(k, int(np.unique(sample).size))
    if k < 2:
        return np.empty(0)
    import mapclassify  # on first use: it brings scipy and scikit-learn, ~200 MB a worker does not need

    maxima = mapclassify.FisherJenks(sample, k=k).bins[:-1]
    positions = np.searchsorted(sample, maxima, side="right")
    thresholds = []
    for last, first in zip(maxima, sample[positions[positions < sample.size]], strict=False):
        window = ordered[np.searchsorted(ordered, last, "left") : np.searchsorted(ordered, first, "right")]
        thresholds.append(window[int(np.argmax(np.diff(window))) + 1])
    return np.asarray(thresholds, dtype=float)


def _diverging(present: np.ndarray, k: int, centre: float, missing: int) -> Classification:
    k += 1 - k % 2
    reach = float(np.max(np.abs(present - centre)))
    if reach == 0.0:
        return Classification("diverging", (centre, centre), (int(present.size),), 1, missing, centre=centre)
    width = 2 * reach / k
    offsets = width * (np.arange(k // 2) + 0.5)
    inner = np.concatenate([centre - offsets[::-1], centre + offsets])
    result = _finish(
        "diverging", present, inner, missing, outer=(centre - reach, centre + reach), drop_empty=False
    )
    return Classification("diverging", result.breaks, result.counts, result.k, missing, centre=centre)


def _categorical(present: np.ndarray, missing: int) -> Classification:
    codes = tuple(t.code for t in AREA_TYPES)
    unknown = sorted(set(np.unique(present).tolist()) - set(codes))
    if unknown:
        raise ClassificationError(f"områdestyp must be one of {codes}, got {unknown[:5]}", option="values")
    counts = tuple(int(np.count_nonzero(present == code)) for code in codes)
    return Classification("categorical", (), counts, len(codes), missing, categories=codes)
