"""Edits of a dataset's indicators: rename and remove, each as a new version (the old one stays on disk)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from data.store import make_dataset, read_version, write_version
from indicators.definitions import check_id
from indicators.derive import DERIVED
from indicators.model import Dataset, NotFoundError, ParameterError

COMPUTED = frozenset(ind.id for ind in DERIVED)
"""Indicators every build computes from others: renaming or removing them would be undone."""


def _known(dataset: Dataset, ident: str, parameter: str) -> None:
    if ident not in dataset.indicators:
        raise NotFoundError(
            parameter, f"no indicator {ident!r}; the dataset has {sorted(dataset.indicators)}"
        )
    if ident in COMPUTED:
        raise ParameterError(
            parameter, f"{ident!r} is computed from other indicators at every build; remove those instead"
        )


def rename_indicator(root: Path, old: str, new: str) -> Dataset:
    """A new current version in which indicator ``old`` (metadata and values) is called ``new``."""
    dataset = read_version(root)
    _known(dataset, old, "OLD")
    check_id(new, "NEW")
    if new in dataset.indicators or new in COMPUTED:
        raise ParameterError("NEW", f"the dataset already has an indicator {new!r}")
    values = dataset.values.copy()
    values["indicator"] = values["indicator"].astype(str).replace({old: new})
    indicators = {(new if key == old else key): ind for key, ind in dataset.indicators.items()}
    indicators[new] = replace(dataset.indicators[old], id=new)
    renamed = make_dataset(dataset.areas, values, indicators, _noted(dataset, f"renamed {old} to {new}"))
    write_version(root, renamed)
    return renamed


def remove_indicator(root: Path, ident: str) -> Dataset:
    """A new current version without indicator ``ident`` and its values."""
    dataset = read_version(root)
    _known(dataset, ident, "ID")
    values = dataset.values[dataset.values["indicator"] != ident]
    indicators = {key: ind for key, ind in dataset.indicators.items() if key != ident}
    removed = make_dataset(dataset.areas, values, indicators, _noted(dataset, f"removed {ident}"))
    write_version(root, removed)
    return removed


def _noted(dataset: Dataset, edit: str) -> dict:
    meta = {k: v for k, v in dataset.meta.items() if k != "derived"}
    return {**meta, "inputs": [*meta.get("inputs", []), {"edit": edit, "from": dataset.version}]}
