// Swedish and English UI strings. t(key, vars) fills {name} placeholders.
const STRINGS = {
  sv: {
    skip: "Hoppa till innehållet", views: "Vyer", view_map: "Karta", view_overview: "Kommunöversikt",
    view_table: "Tabell", share: "Dela och bädda in", other_lang: "English", choices: "Val",
    municipality: "Kommun", search_kommun: "Sök namn eller kod", kommun_unknown: "Ingen kommun matchar ”{q}”.",
    level: "Områdesnivå", indicator: "Indikator", breakdown: "Redovisning", year: "År", play: "Spela",
    pause: "Pausa", mode: "Kartvisning", mode_value: "Värde", mode_change: "Förändring mellan två år",
    mode_deviation: "Avvikelse från referens", mode_types: "Områdestyper", mode_years: "Två år sida vid sida",
    mode_indicators: "Två indikatorer sida vid sida", year_a: "Jämför med år", ind2: "Andra indikator",
    reference: "Referens", ref_kommun: "Kommunens värde", ref_riket: "Rikets värde",
    classification: "Klassindelning", method: "Metod", quantiles: "Kvantiler", equal_interval: "Lika intervall",
    natural_breaks: "Naturliga brytpunkter", std_mean: "Standardavvikelse", classes: "Antal klasser",
    scope: "Klassa inom", scope_kommun: "Kommunen", scope_all: "Hela landet", pooled: "Samma klasser alla år",
    source: "Källa", unit: "Enhet", no_data: "Uppgift saknas", suppressed: "Sekretess (för få personer)",
    outside: "Utanför kommunen", legend: "Teckenförklaring", areas_n: "{n} områden",
    rank: "Rang {r} av {n} i kommunen (1 = högst)",
    map_as_table: "Kartan som tabell", area: "Område", code: "Kod", value: "Värde", class: "Klass",
    details: "Visa detaljer för {name}", close: "Stäng", detail_h: "Områdesdetaljer",
    compare_areas: "Jämför områden", add_hint: "Skift-klicka eller använd ”Lägg till” för att jämföra områden.",
    add: "Lägg till", remove: "Ta bort {name}", clear: "Rensa val", kommun_value: "Kommunen", lan_value: "Länet",
    riket_value: "Riket", all_indicators: "Alla indikatorer {year}", over_years: "{title} över tid",
    types_title: "Områdestyper {year}",
    no_types: "Datasetet har ingen indikator för områdestyper.", loading: "Laddar …",
    map_label: "Karta: {title}. Använd tabellen under kartan för tangentbordsåtkomst.", land_only: "Bara land",
    overview_h: "Översikt: {name}", types_h: "Områdestyper (RegSO) {year}", type_col: "Områdestyp",
    areas_col: "Områden", population_col: "Befolkning", share_col: "Andel", ojamlikhet_h: "Ojämlikhetsindex",
    main_h: "Kommunen jämfört med länet och riket {year}", show_on_map: "Visa på kartan",
    not_available: "Inte tillgängligt i detta dataset.", table_h: "Alla områden i {name}",
    table_inds: "Indikatorer", table_years: "År", sort_by: "Sortera efter {col}", export_csv: "Ladda ned CSV",
    export_xlsx: "Ladda ned Excel (XLSX)", sv_format: "Svenskt talformat (decimalkomma)",
    permalink: "Permalänk", copy_link: "Kopiera länk", embed_code: "Inbäddningskod", copy_code: "Kopiera kod",
    qgis_heading: "I QGIS", qgis_help: "Lager → Lägg till lager → Lägg till vektortilelager → Ny generisk anslutning:",
    qgis_url: "URL (XYZ)", qgis_style: "Stil-URL", qgis_zoom: "Min. zoom {min}, max. zoom {max}",
    copied: "Kopierat.", open_full: "Öppna i Barometer", embed_title: "Barometer: {title}, {kommun} {year}",
    definitions: "Definitioner", generated: "Skapad", trend: "Trend {a}–{b}: {d}",
    derived_note: "* Beräknat av Barometer från de mindre områdena i datasetet (inte hämtat från källan).",
    coverage: "{name}: {n} av {of} kommuner finns i datasetet.",
    error: "Något gick fel: {msg}", total: "Totalt", domain_other: "Övrigt", download_png: "Ladda ned kartbild (PNG)",
    view_county: "Länsöversikt", view_pertype: "Områdestyper", view_national: "Sverigekarta",
    help_for: "Om {title}: definition och läsanvisning", help_definition: "Definition", help_formula: "Beräkning",
    help_reading: "Så läser du måttet", help_source: "Källa", help_caveats: "Att tänka på",
    pt_h: "{title} per områdestyp: {where}", pt_scope: "Område", pt_chart_h: "Utveckling per områdestyp",
    pt_table_h: "År och områdestyp", pt_types_source: "Områdestyper", pt_source_official: "SCB:s officiella",
    pt_source_computed: "Beräknade av Barometer", pt_source_: "–", pt_not_by_type: "inte per områdestyp",
    pt_kind: "{title} är {kind} och kan inte läggas samman över områden, så den visas inte per områdestyp. Välj ett antal, en andel, en kvot eller ett medelvärde.",
    pt_mixed: "Åren bygger på olika områdestyper (officiella och beräknade): jämför inte typerna över bytet.",
    kind_median: "en median", kind_index: "ett index", kind_category: "en kategori", kind_count: "ett antal",
    kind_share: "en andel", kind_rate: "en kvot", kind_mean: "ett medelvärde",
    county_compare_h: "Länets kommuner {year}", open_overview: "Öppna kommunöversikten för {name}",
    open_county: "Öppna länsöversikten för {name}", county: "Län", counties: "Län", municipalities: "Kommuner",
    nat_level: "Visa för", pt_n: "{n} RegSO", pt_no_areas: "Datasetet har inga RegSO med områdestyp i {where}.", pt_none: "Datasetet har ingen indikator som kan läggas samman per områdestyp (antal, andelar, kvoter eller medelvärden).",
  },
  en: {
    skip: "Skip to content", views: "Views", view_map: "Map", view_overview: "Municipality overview",
    view_table: "Table", share: "Share and embed", other_lang: "Svenska", choices: "Choices",
    municipality: "Municipality", search_kommun: "Search name or code", kommun_unknown: "No municipality matches “{q}”.",
    level: "Area level", indicator: "Indicator", breakdown: "Breakdown", year: "Year", play: "Play",
    pause: "Pause", mode: "Map view", mode_value: "Value", mode_change: "Change between two years",
    mode_deviation: "Deviation from reference", mode_types: "Area types (områdestyper)",
    mode_years: "Two years side by side", mode_indicators: "Two indicators side by side", year_a: "Compare with year",
    ind2: "Second indicator", reference: "Reference", ref_kommun: "Municipality value", ref_riket: "National value",
    classification: "Classification", method: "Method", quantiles: "Quantiles", equal_interval: "Equal interval",
    natural_breaks: "Natural breaks", std_mean: "Standard deviation", classes: "Classes", scope: "Classify within",
    scope_kommun: "The municipality", scope_all: "The whole country", pooled: "Same classes every year",
    source: "Source", unit: "Unit", no_data: "No data", suppressed: "Suppressed (too few persons)",
    outside: "Outside the municipality", legend: "Legend", areas_n: "{n} areas",
    rank: "Rank {r} of {n} in the municipality (1 = highest)",
    map_as_table: "The map as a table", area: "Area", code: "Code", value: "Value", class: "Class",
    details: "Show details for {name}", close: "Close", detail_h: "Area details", compare_areas: "Compare areas",
    add_hint: "Shift-click or use “Add” to compare areas.", add: "Add", remove: "Remove {name}",
    clear: "Clear selection", kommun_value: "Municipality", lan_value: "County", riket_value: "Sweden",
    all_indicators: "All indicators {year}", over_years: "{title} over time", types_title: "Area types {year}",
    no_types: "The dataset has no area type indicator.", loading: "Loading …",
    map_label: "Map: {title}. Use the table below the map for keyboard access.", land_only: "Land only",
    overview_h: "Overview: {name}", types_h: "Area types (RegSO) {year}", type_col: "Area type",
    areas_col: "Areas", population_col: "Population", share_col: "Share", ojamlikhet_h: "Inequality index",
    main_h: "The municipality against its county and Sweden {year}", show_on_map: "Show on the map",
    not_available: "Not available in this dataset.", table_h: "Every area in {name}", table_inds: "Indicators",
    table_years: "Years", sort_by: "Sort by {col}", export_csv: "Download CSV", export_xlsx: "Download Excel (XLSX)",
    sv_format: "Swedish number format (decimal comma)", permalink: "Permalink", copy_link: "Copy link",
    embed_code: "Embed code", copy_code: "Copy code",
    qgis_heading: "In QGIS", qgis_help: "Layer → Add Layer → Add Vector Tile Layer → New Generic Connection:",
    qgis_url: "URL (XYZ)", qgis_style: "Style URL", qgis_zoom: "Min. zoom {min}, max. zoom {max}", copied: "Copied.", open_full: "Open in Barometer",
    embed_title: "Barometer: {title}, {kommun} {year}", definitions: "Definitions", generated: "Created",
    derived_note: "* Computed by Barometer from the dataset's smaller areas (not taken from the source).",
    coverage: "{name}: {n} of {of} municipalities are in the dataset.",
    trend: "Trend {a}–{b}: {d}", error: "Something went wrong: {msg}", total: "Total", domain_other: "Other",
    download_png: "Download map image (PNG)",
    view_county: "County overview", view_pertype: "Area types", view_national: "Map of Sweden",
    help_for: "About {title}: definition and how to read it", help_definition: "Definition", help_formula: "Computation",
    help_reading: "How to read it", help_source: "Source", help_caveats: "Keep in mind",
    pt_h: "{title} by area type: {where}", pt_scope: "Area", pt_chart_h: "By area type over the years",
    pt_table_h: "Year and area type", pt_types_source: "Area types", pt_source_official: "SCB's official",
    pt_source_computed: "Computed by Barometer", pt_source_: "–", pt_not_by_type: "not by area type",
    pt_kind: "{title} is {kind} and cannot be added up over areas, so it is not shown by area type. Choose a count, a share, a rate or a mean.",
    pt_mixed: "The years use different area types (official and computed): do not compare the types across the change.",
    kind_median: "a median", kind_index: "an index", kind_category: "a category", kind_count: "a count",
    kind_share: "a share", kind_rate: "a rate", kind_mean: "a mean",
    county_compare_h: "The county's municipalities {year}", open_overview: "Open the municipality overview of {name}",
    open_county: "Open the county overview of {name}", county: "County", counties: "Counties", municipalities: "Municipalities",
    nat_level: "Show for", pt_n: "{n} RegSO", pt_no_areas: "The dataset has no RegSO with an area type in {where}.", pt_none: "The dataset has no indicator that can be added up by area type (counts, shares, rates or means).",
  },
};

const AREA_TYPES = {
  sv: ["Områden med stora socioekonomiska utmaningar", "Områden med socioekonomiska utmaningar",
    "Socioekonomiskt blandade områden", "Områden med goda socioekonomiska förutsättningar",
    "Områden med mycket goda socioekonomiska förutsättningar"],
  en: ["Areas with major socioeconomic challenges", "Areas with socioeconomic challenges",
    "Socioeconomically mixed areas", "Areas with good socioeconomic conditions",
    "Areas with very good socioeconomic conditions"],
};

let lang = "sv";

export function setLang(value) {
  lang = value === "en" ? "en" : "sv";
  document.documentElement.lang = lang;
}
export const getLang = () => lang;

export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.sv[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}

export const areaTypeName = (code) => AREA_TYPES[lang][code - 1] || String(code);

/** Fill [data-i18n] text, [data-i18n-ph] placeholders and [data-i18n-aria] labels under root. */
export function applyI18n(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-ph]")) node.placeholder = t(node.dataset.i18nPh);
  for (const node of root.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
}

export const indicatorTitle = (ind) => (ind ? (lang === "en" ? ind.title_en : ind.title_sv) || ind.id : "");
export const indicatorDescription = (ind) => (ind ? (lang === "en" ? ind.description_en : ind.description_sv) || "" : "");

const BREAKDOWN_WORDS = {
  sv: { sex: "kön", female: "kvinnor", male: "män", age: "ålder", background: "bakgrund", swedish: "svensk bakgrund", foreign: "utländsk bakgrund", quintile: "inkomstkvintil" },
  en: { sex: "sex", female: "women", male: "men", age: "age", background: "background", swedish: "Swedish background", foreign: "foreign background", quintile: "income quintile" },
};
let breakdownLabels = {};
/** The dataset's own breakdown texts ({key: {sv, en}} from the catalog), used before the words below. */
export function setBreakdownLabels(labels) {
  breakdownLabels = labels || {};
}
export function breakdownLabel(key) {
  const known = breakdownLabels[key];
  if (known) return known[lang] || known.sv;
  if (!key || key === "total") return t("total");
  const [dim, group] = key.split("=");
  const words = BREAKDOWN_WORDS[lang];
  return `${words[dim] || dim}: ${words[group] || group}`;
}

const DOMAINS = {
  sv: { arbete: "Arbete", ekonomi: "Ekonomi", utbildning: "Utbildning", boende: "Boende", demokrati: "Demokrati",
    halsa: "Hälsa", befolkning: "Befolkning", matt: "Segregationsmått", other: "Övrigt" },
  en: { arbete: "Work", ekonomi: "Economy", utbildning: "Education", boende: "Housing", demokrati: "Democracy",
    halsa: "Health", befolkning: "Population", matt: "Segregation measures", other: "Other" },
};
export const domainName = (domain) => DOMAINS[lang][domain] || (domain ? domain.charAt(0).toUpperCase() + domain.slice(1).replace(/_/g, " ") : DOMAINS[lang].other);
