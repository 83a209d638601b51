"""The indicator catalog Barometer ships, modelled on Boverket's Segregationsbarometern (formerly Delmos).

Segregationsbarometern has 19 indicators chosen from six priority statistics areas; the areas named in its
public material are work, housing, education, democracy and health, and the indicators named there include
"andel förvärvsarbetande" and "utbildningsnivå" (both for ages 20-64 since 2022), "disponibel inkomst" and
"andel inskrivna barn i förskolan". The full list of 19 could not be verified; where a definition is ours, the
description says so and follows the closest SCB definition (Registerdata för integration, RegSO/DeSO tables).

Conventions of the value table for these indicators:

* ``share`` values are percentages; ``numerator``/``denominator`` are persons (the denominator is the
  population the share is of). Coarser levels sum the counts, they never average shares.
* ``rate`` values are numerator/denominator (e.g. days per person); ``median`` values carry the persons they
  describe as the denominator and no numerator.
* ``count`` values are persons; ``numerator`` equals the value and ``denominator`` is the area's total of the
  same count (so numerator/denominator is the group's share of the area).
* ``category`` values are integer codes (``CATEGORY_LABELS``), without counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from indicators.measures.omradestyper import TYPE_NAMES_EN, TYPE_NAMES_SV
from indicators.model import TOTAL, Indicator

DOMAINS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "arbete": ("Arbete", "Work"),
        "ekonomi": ("Inkomst och ekonomi", "Income and economy"),
        "utbildning": ("Utbildning", "Education"),
        "boende": ("Boende", "Housing"),
        "demokrati": ("Demokrati", "Democracy"),
        "halsa": ("Hälsa", "Health"),
        "befolkning": ("Befolkning", "Population"),
        "matt": ("Mått", "Measures"),
    }
)
"""Domain slug → (Swedish, English) title, in display order."""

SEX = ("sex=female", "sex=male")
BACKGROUND = ("background=swedish", "background=foreign")
BY_SEX_AND_BACKGROUND = (TOTAL, *SEX, *BACKGROUND)
BY_BACKGROUND = (TOTAL, *BACKGROUND)
QUINTILES = tuple(f"quintile={q}" for q in range(1, 6))

SEI_INPUTS = ("low_economic_standard", "education_pre_upper_secondary", "welfare_or_long_unemployment")
"""The three inputs (V1, V2, V3) of SCB's socioeconomic index behind the områdestyper, in that order."""

COMPUTED = frozenset({"omradestyp"})
"""Indicators Barometer computes from other indicators; importers and the demo never supply their values."""

CATEGORY_LABELS: Mapping[str, Mapping[int, tuple[str, str]]] = MappingProxyType(
    {
        kind: MappingProxyType({code: (TYPE_NAMES_SV[code], TYPE_NAMES_EN[code]) for code in TYPE_NAMES_SV})
        for kind in ("omradestyp", "omradestyp_official")
    }
)
"""Labels of category codes, per category indicator: code → (Swedish, English)."""

_SCB = "SCB, registerdata (RTB, Inkomst- och taxeringsregistret, LISA)"
_UNVERIFIED_SV = " Ingår enligt vår tolkning i Segregationsbarometern; definitionen följer SCB."
_UNVERIFIED_EN = " Our reading of Segregationsbarometern's list; the definition follows SCB."


def _indicator(
    id: str,
    sv: str,
    en: str,
    unit: str,
    domain: str,
    direction: str,
    *,
    kind: str = "share",
    decimals: int = 1,
    source: str = _SCB,
    desc_sv: str = "",
    desc_en: str = "",
    breakdowns: tuple[str, ...] = (TOTAL,),
) -> Indicator:
    return Indicator(
        id=id,
        title_sv=sv,
        title_en=en,
        unit=unit,
        domain=domain,
        direction=direction,  # type: ignore[arg-type]
        decimals=decimals,
        kind=kind,
        source=source,
        description_sv=desc_sv,  # type: ignore[arg-type]
        description_en=desc_en,
        breakdowns=breakdowns,
    )


_ENTRIES: tuple[Indicator, ...] = (
    # Arbete
    _indicator(
        "employment_rate",
        "Förvärvsarbetande",
        "Employment rate",
        "%",
        "arbete",
        "higher_better",
        desc_sv="Andel förvärvsarbetande av befolkningen 20-64 år (SCB:s sysselsättningsbegrepp i RAMS/BAS). "
        "Publiceras ungefär två år efter referensåret.",
        desc_en="Share of residents aged 20-64 who are gainfully employed (SCB's register-based definition). "
        "Published about two years after the reference year.",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "unemployment_rate",
        "Arbetslösa",
        "Unemployment",
        "%",
        "arbete",
        "higher_worse",
        desc_sv="Andel av befolkningen 20-64 år som är inskrivna som arbetslösa eller i program med "
        "aktivitetsstöd hos Arbetsförmedlingen." + _UNVERIFIED_SV,
        desc_en="Share of residents aged 20-64 registered as unemployed or in a labour-market programme at "
        "Arbetsförmedlingen." + _UNVERIFIED_EN,
        source=f"{_SCB}; Arbetsförmedlingen",
    ),
    _indicator(
        "welfare_or_long_unemployment",
        "Ekonomiskt bistånd eller långvarig arbetslöshet",
        "Social assistance or long-term unemployment",
        "%",
        "arbete",
        "higher_worse",
        desc_sv="Andel 20-64 år som under året haft ekonomiskt bistånd i minst tio månader och/eller varit "
        "arbetslösa i mer än sex månader. Variabel V3 i SCB:s socioekonomiska index.",
        desc_en="Share of residents aged 20-64 who received social assistance for at least ten months of the "
        "year and/or were unemployed over six months. Input V3 of SCB's socioeconomic index.",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "neet_youth",
        "Unga som varken arbetar eller studerar",
        "Young people not in employment or education",
        "%",
        "arbete",
        "higher_worse",
        desc_sv="Andel 20-25 år som varken förvärvsarbetar eller studerar (SCB, UVAS)." + _UNVERIFIED_SV,
        desc_en="Share of residents aged 20-25 neither employed nor studying (SCB's UVAS)." + _UNVERIFIED_EN,
    ),
    # Inkomst och ekonomi
    _indicator(
        "median_disposable_income",
        "Disponibel inkomst, median",
        "Median disposable income",
        "kr",
        "ekonomi",
        "higher_better",
        kind="median",
        decimals=0,
        desc_sv="Medianvärdet av individernas disponibla inkomst, personer 20 år och äldre, löpande priser.",
        desc_en="Median individual disposable income of residents aged 20 and over, current prices.",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "low_economic_standard",
        "Låg ekonomisk standard",
        "Low economic standard",
        "%",
        "ekonomi",
        "higher_worse",
        desc_sv="Andel invånare i hushåll vars ekonomiska standard (disponibel inkomst per konsumtionsenhet) "
        "är lägre än 60 procent av medianen för riket. Variabel V1 i SCB:s socioekonomiska index.",
        desc_en="Share of residents in households whose economic standard (disposable income per consumption "
        "unit) is below 60 % of the national median. Input V1 of SCB's socioeconomic index.",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "economic_assistance",
        "Ekonomiskt bistånd",
        "Social assistance",
        "%",
        "ekonomi",
        "higher_worse",
        desc_sv="Andel invånare i hushåll som fått ekonomiskt bistånd under året." + _UNVERIFIED_SV,
        desc_en="Share of residents in households that received social assistance during the year."
        + _UNVERIFIED_EN,
    ),
    _indicator(
        "child_low_economic_standard",
        "Barn i hushåll med låg ekonomisk standard",
        "Children in households with low economic standard",
        "%",
        "ekonomi",
        "higher_worse",
        desc_sv="Andel barn 0-17 år i hushåll med ekonomisk standard under 60 procent av riksmedianen."
        + _UNVERIFIED_SV,
        desc_en="Share of children aged 0-17 in households with an economic standard below 60 % of the "
        "national median." + _UNVERIFIED_EN,
        breakdowns=BY_BACKGROUND,
    ),
    _indicator(
        "income_quintile",
        "Inkomstkvintiler",
        "Income quintiles",
        "personer",
        "ekonomi",
        "neutral",
        kind="count",
        decimals=0,
        desc_sv="Antal personer 20 år och äldre efter nationell kvintil av disponibel inkomst. Underlag för "
        "ojämlikhetsindex (skillnadsindex mellan kvintil 1 och 5).",
        desc_en="Residents aged 20+ by national quintile of disposable income. Input of the inequality "
        "index (dissimilarity between quintile 1 and quintile 5).",
        breakdowns=(TOTAL, *QUINTILES),
    ),
    # Utbildning
    _indicator(
        "preschool_enrolment",
        "Inskrivna barn i förskola",
        "Preschool enrolment",
        "%",
        "utbildning",
        "higher_better",
        desc_sv="Andel barn 1-5 år som är inskrivna i förskola.",
        desc_en="Share of children aged 1-5 enrolled in preschool.",
        source=f"{_SCB}; Skolverket",
    ),
    _indicator(
        "eligible_upper_secondary",
        "Behörighet till gymnasiet",
        "Eligible for upper secondary school",
        "%",
        "utbildning",
        "higher_better",
        desc_sv="Andel elever som avslutat årskurs 9 och är behöriga till ett yrkesprogram på gymnasiet, "
        "efter elevens folkbokföringsområde." + _UNVERIFIED_SV,
        desc_en="Share of pupils completing year 9 who are eligible for a vocational upper secondary "
        "programme, by the pupil's area of residence." + _UNVERIFIED_EN,
        source=f"{_SCB}; Skolverket",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "upper_secondary_completion",
        "Fullföljd gymnasieutbildning",
        "Upper secondary completion",
        "%",
        "utbildning",
        "higher_better",
        desc_sv="Andel av dem som började gymnasiet som tagit examen inom fyra år." + _UNVERIFIED_SV,
        desc_en="Share of upper secondary entrants graduating within four years." + _UNVERIFIED_EN,
        source=f"{_SCB}; Skolverket",
    ),
    _indicator(
        "education_pre_upper_secondary",
        "Förgymnasial utbildning",
        "Below upper secondary education",
        "%",
        "utbildning",
        "higher_worse",
        desc_sv="Andel 20-64 år vars högsta utbildning är förgymnasial (Utbildningsregistret). Variabel V2 i "
        "SCB:s socioekonomiska index.",
        desc_en="Share of residents aged 20-64 whose highest education is below upper secondary level. "
        "Input V2 of SCB's socioeconomic index.",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "post_secondary_education",
        "Eftergymnasial utbildning",
        "Post-secondary education",
        "%",
        "utbildning",
        "higher_better",
        desc_sv="Andel 20-64 år med eftergymnasial utbildning (kortare eller längre).",
        desc_en="Share of residents aged 20-64 with post-secondary education (short or long).",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    # Boende
    _indicator(
        "overcrowding",
        "Trångboddhet",
        "Overcrowding",
        "%",
        "boende",
        "higher_worse",
        desc_sv="Andel invånare i trångbodda hushåll enligt norm 2 (mer än två personer per sovrum, "
        "kök och vardagsrum oräknade)." + _UNVERIFIED_SV,
        desc_en="Share of residents in overcrowded households by SCB's norm 2 (more than two persons per "
        "bedroom, kitchen and living room excluded)." + _UNVERIFIED_EN,
        breakdowns=BY_BACKGROUND,
    ),
    _indicator(
        "rental_housing",
        "Boende i hyresrätt",
        "Living in rental housing",
        "%",
        "boende",
        "neutral",
        desc_sv="Andel invånare som bor i hyresrätt (upplåtelseform enligt lägenhetsregistret).",
        desc_en="Share of residents living in rented dwellings (tenure from the dwelling register).",
        breakdowns=BY_BACKGROUND,
    ),
    # Demokrati
    _indicator(
        "voter_turnout",
        "Valdeltagande i kommunval",
        "Turnout in municipal elections",
        "%",
        "demokrati",
        "higher_better",
        desc_sv="Andel röstberättigade som röstade i valet till kommunfullmäktige. Finns bara valår.",
        desc_en="Share of eligible voters who voted in the municipal council election. Election years only.",
        source=f"{_SCB}; Valmyndigheten",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "voter_turnout_riksdag",
        "Valdeltagande i riksdagsval",
        "Turnout in parliamentary elections",
        "%",
        "demokrati",
        "higher_better",
        desc_sv="Andel röstberättigade som röstade i riksdagsvalet. Finns bara valår." + _UNVERIFIED_SV,
        desc_en="Share of eligible voters who voted in the parliamentary election. Election years only."
        + _UNVERIFIED_EN,
        source=f"{_SCB}; Valmyndigheten",
    ),
    # Hälsa
    _indicator(
        "sickness_rate",
        "Ohälsotal",
        "Sickness rate",
        "dagar",
        "halsa",
        "higher_worse",
        kind="rate",
        desc_sv="Antal dagar med sjukpenning, rehabiliteringspenning och sjuk- eller aktivitetsersättning "
        "per registrerad försäkrad 16-64 år (Försäkringskassans ohälsotal).",
        desc_en="Days of sickness, rehabilitation and disability benefit per insured person aged 16-64 "
        "(Försäkringskassan's ohälsotal).",
        source=f"{_SCB}; Försäkringskassan",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    # Befolkning
    _indicator(
        "population",
        "Folkmängd",
        "Population",
        "personer",
        "befolkning",
        "neutral",
        kind="count",
        decimals=0,
        desc_sv="Folkbokförda invånare 31 december, totalt, efter kön och födelseland (Sverige/utlandet).",
        desc_en="Registered residents on 31 December, in total, by sex and by country of birth "
        "(Sweden/abroad).",
        breakdowns=BY_SEX_AND_BACKGROUND,
    ),
    _indicator(
        "foreign_born_share",
        "Utrikes födda",
        "Foreign-born residents",
        "%",
        "befolkning",
        "neutral",
        desc_sv="Andel invånare födda utomlands.",
        desc_en="Share of residents born abroad.",
        breakdowns=(TOTAL, *SEX),
    ),
    # Områdestyper
    _indicator(
        "omradestyp",
        "Områdestyp",
        "Area type",
        "",
        "matt",
        "higher_better",
        kind="category",
        decimals=0,
        source="Beräknad av Barometer ur SCB:s tre indexvariabler (V1-V3) på RegSO-nivå",
        desc_sv="Områdestyp 1-5 beräknad av Barometer: summan av de standardiserade andelarna V1-V3 per "
        "RegSO, standardiserad och indelad efter standardavvikelser, som SCB:s och Delmos index.",
        desc_en="Area type 1-5 computed by Barometer: the sum of the standardised shares V1-V3 per RegSO, "
        "standardised again and cut by standard deviations, as in SCB's and Delmos's index.",
    ),
    _indicator(
        "omradestyp_official",
        "Områdestyp (SCB)",
        "Area type (SCB)",
        "",
        "matt",
        "higher_better",
        kind="category",
        decimals=0,
        source="SCB, Statistikdatabasen: RegSO efter områdestyp",
        desc_sv="Områdestyp 1-5 per RegSO som SCB publicerar den, importerad oförändrad.",
        desc_en="Area type 1-5 per RegSO as published by SCB, imported unchanged.",
    ),
)

CATALOG: Mapping[str, Indicator] = MappingProxyType({entry.id: entry for entry in _ENTRIES})
"""Every indicator Barometer ships, by id, grouped by domain in ``DOMAINS`` order."""

SEGREGATIONSBAROMETERN_19: tuple[str, ...] = tuple(
    entry.id for entry in _ENTRIES if entry.kind not in ("count", "category")
)
"""The 19 indicators that stand for Segregationsbarometern's 19 (support counts and area types excluded)."""


def in_domain(domain: str) -> tuple[Indicator, ...]:
    """The catalog's indicators of one domain, in catalog order."""
    return tuple(entry for entry in CATALOG.values() if entry.domain == domain)
