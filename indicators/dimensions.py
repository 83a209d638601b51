"""Breakdowns: SCB's dimension names and groups mapped to the model's keys, and their display labels.

A breakdown key reads ``dimension=group`` (``sex=female``, ``background=foreign``, ``quintile=1``); several
dimensions join with ``;``; ``total`` is everyone. SCB names the same dimension many ways (``Kön``,
``Födelseregion``, ``Svensk och utländsk bakgrund``, ``Upplåtelseform``); :func:`group_key` turns a
(dimension, group) pair as a file writes it into a key, and :func:`breakdown_label` turns a key back into
text for people, in Swedish or English, with å, ä and ö intact. Groups nobody mapped become slugs of their
label; the importer keeps their original text (:func:`label_of`) so they still read well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

TOTAL = "total"

DIMENSION_LABELS: Mapping[str, tuple[str, str]] = {
    "sex": ("Kön", "Sex"),
    "age": ("Ålder", "Age"),
    "background": ("Bakgrund", "Background"),
    "tenure": ("Upplåtelseform", "Tenure"),
    "education": ("Utbildningsnivå", "Education"),
    "quintile": ("Inkomstkvintil", "Income quintile"),
    "household": ("Hushållstyp", "Household type"),
}
"""Model dimension → (Swedish, English) label."""

_DIMENSION_NAMES: Mapping[str, tuple[str, ...]] = {
    "sex": ("kön", "kon", "sex", "gender", "kön och totalt"),
    "age": ("ålder", "alder", "åldersgrupp", "åldersklass", "ålder i år", "ålder i 5-årsklasser", "age"),
    "background": (
        "födelseregion",
        "bakgrund",
        "svensk och utländsk bakgrund",
        "svensk/utländsk bakgrund",
        "utländsk bakgrund",
        "födelseland",
        "födelselandsgrupp",
        "inrikes/utrikes född",
        "background",
        "birth region",
        "region of birth",
    ),
    "tenure": ("upplåtelseform", "upplatelseform", "tenure"),
    "education": ("utbildningsnivå", "utbildningsniva", "utbildning", "education", "level of education"),
    "quintile": ("inkomstkvintil", "kvintil", "inkomstkvintiler", "quintile", "income quintile"),
    "household": ("hushållstyp", "hushallstyp", "household type", "household"),
}

GROUP_LABELS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "sex": {"female": ("kvinnor", "women"), "male": ("män", "men")},
    "background": {
        "swedish": ("född i Sverige, svensk bakgrund", "born in Sweden, Swedish background"),
        "foreign": ("utrikes född, utländsk bakgrund", "born abroad, foreign background"),
    },
    "tenure": {
        "rental": ("hyresrätt", "rental"),
        "cooperative": ("bostadsrätt", "tenant-owned (bostadsrätt)"),
        "owner": ("äganderätt", "owner-occupied"),
        "special": ("specialbostad", "special housing"),
        "unknown": ("uppgift saknas", "not stated"),
    },
    "education": {
        "pre_upper_secondary": ("förgymnasial", "below upper secondary"),
        "upper_secondary": ("gymnasial", "upper secondary"),
        "post_secondary": ("eftergymnasial", "post-secondary"),
        "unknown": ("uppgift saknas", "not stated"),
    },
    "household": {
        "single_no_children": ("ensamstående utan barn", "single without children"),
        "single_with_children": ("ensamstående med barn", "single with children"),
        "couple_no_children": ("sammanboende utan barn", "couple without children"),
        "couple_with_children": ("sammanboende med barn", "couple with children"),
        "other": ("övriga hushåll", "other households"),
    },
    "quintile": {str(q): (f"kvintil {q}", f"quintile {q}") for q in range(1, 6)},
}
"""Model group → (Swedish, English) label, per dimension. Ages label themselves (``20-64`` → ``20–64 år``)."""

_GROUP_NAMES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sex": {
        "male": ("män", "man", "male", "men", "m", "1"),
        "female": ("kvinnor", "kvinna", "female", "women", "k", "f", "2"),
    },
    "background": {
        "swedish": (
            "född i sverige",
            "inrikes född",
            "inrikes födda",
            "svensk bakgrund",
            "sverige",
            "swedish",
            "swedish background",
            "born in sweden",
        ),
        "foreign": (
            "utrikes född",
            "utrikes födda",
            "född utomlands",
            "född utanför sverige",
            "utländsk bakgrund",
            "foreign",
            "foreign background",
            "foreign born",
            "born abroad",
        ),
    },
    "tenure": {
        "rental": ("hyresrätt", "hyresrätter", "rental"),
        "cooperative": ("bostadsrätt", "bostadsrätter", "cooperative"),
        "owner": ("äganderätt", "äganderätter", "äganderätt/tomträtt", "owner", "owner-occupied"),
        "special": ("specialbostad", "specialbostäder"),
        "unknown": ("uppgift saknas", "okänd upplåtelseform"),
    },
    "education": {
        "pre_upper_secondary": (
            "förgymnasial",
            "förgymnasial utbildning",
            "förgymnasial utbildning kortare än 9 år",
            "förgymnasial utbildning, 9 (10) år",
            "grundskola",
        ),
        "upper_secondary": ("gymnasial", "gymnasial utbildning", "gymnasium"),
        "post_secondary": (
            "eftergymnasial",
            "eftergymnasial utbildning",
            "eftergymnasial utbildning, mindre än 3 år",
            "eftergymnasial utbildning, 3 år eller mer",
            "forskarutbildning",
        ),
        "unknown": ("uppgift saknas", "uppgift om utbildningsnivå saknas"),
    },
    "household": {
        "single_no_children": ("ensamstående utan barn", "ensamstående utan barn 0-24 år"),
        "single_with_children": ("ensamstående med barn", "ensamstående med barn 0-24 år"),
        "couple_no_children": ("sammanboende utan barn", "sammanboende utan barn 0-24 år"),
        "couple_with_children": ("sammanboende med barn", "sammanboende med barn 0-24 år"),
        "other": ("övriga hushåll", "övriga hushåll utan barn", "övriga hushåll med barn"),
    },
}

TOTAL_LABELS = frozenset(
    {
        "total",
        "totalt",
        "samtliga",
        "alla",
        "båda könen",
        "män och kvinnor",
        "kvinnor och män",
        "1+2",
        "t",
        "tot",
        "all",
        "totalt ålder",
        "totalt, samtliga",
        "samtliga upplåtelseformer",
        "samtliga utbildningsnivåer",
        "samtliga hushåll",
        "samtliga personer",
    }
)
"""Group labels that mean everyone (the breakdown ``total``); any label starting ``totalt`` too."""

_AGE = re.compile(r"^(?:ålder\s+)?(\d+)\s*(?:-\s*(\d+)|(\+|-|år\s+och\s+(?:äldre|över)|år\s*\+))?")
_QUINTILE = re.compile(r"^(?:inkomst)?(?:kvintil|quintile|q)\s*([1-5])\b|^([1-5])$")


def _norm(text: object) -> str:
    """Lower case, NFC, single spaces, ``–`` as ``-``: ``"Utrikes  Född"`` → ``"utrikes född"``."""
    text = unicodedata.normalize("NFC", str(text)).casefold().replace("–", "-").replace("—", "-")
    return " ".join(text.split())


def slug(text: object) -> str:
    """``"Andel förvärvsarbetande (%)"`` → ``"andel_forvarvsarbetande"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]+", "_", ascii_text.casefold()).strip("_-") or "x"


_DIMENSIONS = {_norm(name): dim for dim, names in _DIMENSION_NAMES.items() for name in names}
_GROUPS = {
    dim: {_norm(name): group for group, names in groups.items() for name in names}
    for dim, groups in _GROUP_NAMES.items()
}


def dimension_of(label: object) -> str:
    """The model dimension of a dimension name (``Födelseregion`` → ``background``), else its slug."""
    text = _norm(label)
    return _DIMENSIONS.get(text) or _DIMENSIONS.get(slug(text).replace("_", "")) or slug(text)


def is_known_dimension(label: object) -> bool:
    return dimension_of(label) in DIMENSION_LABELS


def is_total(label: object) -> bool:
    text = _norm(label)
    return text in TOTAL_LABELS or text.startswith("totalt") or text.startswith("samtliga")


def group_of(dimension: str, label: object) -> str | None:
    """The model group of a group label within a model dimension, or None when it is not a known one."""
    text = _norm(label)
    known = _GROUPS.get(dimension, {}).get(text)
    if known:
        return known
    if dimension == "age":
        match = _AGE.match(text)
        if match:
            low, high, open_end = match.groups()
            return f"{low}-{high}" if high else f"{low}plus" if open_end else low  # no "+": URLs
    if dimension == "quintile":
        match = _QUINTILE.match(text)
        if match:
            return match.group(1) or match.group(2)
    return None


def group_key(dimension_label: object, group_label: object, group_code: object = None) -> str | None:
    """``dimension=group`` of one group as a file writes it, or None for a total.

    ``("Kön", "kvinnor")`` → ``sex=female``; ``("Födelseregion", "Utrikes född")`` →
    ``background=foreign``; ``("Ålder", "20-64 år")`` → ``age=20-64`` (``65+ år`` → ``age=65plus``: no
    ``+`` in URLs); a group nobody mapped becomes the slug of its code (when given, as PxWeb's) or label:
    ``("Region", "Övriga Norden")`` → ``region=ovriga_norden``.
    """
    dimension = dimension_of(dimension_label)
    texts = [t for t in (group_label, group_code) if t is not None and str(t).strip() != ""]
    if any(is_total(t) for t in texts):
        return None
    group = next((g for t in texts if (g := group_of(dimension, t))), None)
    if group is None:
        group = slug(group_code if group_code is not None else group_label)
    return f"{dimension}={group}"


def label_of(key: str, dimension_label: object, group_label: object) -> tuple[str, str] | None:
    """The display label to keep for a key whose group or dimension has no built-in label, else None."""
    dimension, _, group = key.partition("=")
    if dimension in DIMENSION_LABELS and (group in GROUP_LABELS.get(dimension, {}) or dimension == "age"):
        return None
    text = f"{str(dimension_label).strip()}: {str(group_label).strip()}"
    return text, text


def breakdown_label(key: str, lang: str = "sv", labels: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Text for a breakdown key: ``sex=female`` → ``"Kön: kvinnor"`` (sv) / ``"Sex: women"`` (en).

    ``labels`` (key → (Swedish, English)) gives the original text of groups without a built-in label, as
    an import recorded them; otherwise such a group reads as its dimension and slug. Combined keys
    (``sex=female;age=20-64``) read as their parts joined by ``", "``.
    """
    english = lang == "en"
    if key == TOTAL or not key:
        return "Total" if english else "Totalt"
    if labels and key in labels:
        return labels[key][english]
    if ";" in key:
        return ", ".join(breakdown_label(part, lang, labels) for part in key.split(";"))
    dimension, _, group = key.partition("=")
    dim_label = DIMENSION_LABELS.get(dimension, (dimension.replace("_", " ").capitalize(),) * 2)[english]
    known = GROUP_LABELS.get(dimension, {}).get(group)
    if known:
        group_text = known[english]
    elif dimension == "age":
        group_text = f"{group.replace('-', '–').replace('plus', '+')} {'years' if english else 'år'}"
    else:
        group_text = group.replace("_", " ")
    return f"{dim_label}: {group_text}"
