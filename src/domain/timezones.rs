//! Members' locations: ISO 3166 country codes, IANA timezones, and the
//! timezone derived from a city and country.
//!
//! Three tables are embedded from `src/tzdata/`:
//!
//! - `cities.tsv`, a gazetteer: GeoNames cities of 15,000 people or more
//!   under their own and their alternate ASCII names, with the zone each is
//!   in (CC BY 4.0; made by `scripts/gen_cities.py`). It is what turns
//!   `Munich, DE` into `Europe/Berlin` and `Dallas, US` into
//!   `America/Chicago`.
//! - the tz database's own `zone.tab` (public domain): every country's
//!   zones, including those no large city is in (`Europe/Busingen`,
//!   `Pacific/Chatham`), so that a given `--timezone` is checked against
//!   the whole country and a country without large cities is still known.
//! - the tz database's links (`links.tab`), so that a zone given by an old
//!   name (`Europe/Kiev`) still counts as a zone of its country.
//!
//! Each is parsed once per process, on first use. Unit tests check that
//! chrono-tz knows every zone they name and that the gazetteer's names are
//! normalised as [`city_key`] normalises what a user types.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::model::Text;

/// The tz database's `zone.tab`: country code, coordinates, zone, comment.
const ZONE_TAB: &str = include_str!("../tzdata/zone.tab");
/// The gazetteer; its header says how it is laid out.
const CITIES: &str = include_str!("../tzdata/cities.tsv");
/// The tz database's links: `alias<TAB>zone`.
const LINKS: &str = include_str!("../tzdata/links.tab");

/// How many zone names an error lists before it stops.
const LISTED: usize = 8;

/// One country of the gazetteer.
#[derive(Debug, Default)]
struct Country {
    /// The zones of its cities, the most common first: names point into it.
    zones: Vec<&'static str>,
    /// `(name, candidates)` as the file has them, sorted by name; empty when
    /// every city of the country is in one zone.
    names: Vec<(&'static str, &'static str)>,
}

/// The three tables, parsed.
#[derive(Debug, Default)]
struct Tables {
    /// The gazetteer, by country code.
    gazetteer: HashMap<&'static str, Country>,
    /// `zone.tab`: each country's zones, in file order.
    zone_tab: HashMap<&'static str, Vec<&'static str>>,
    /// Link name to the zone it stands for.
    links: HashMap<&'static str, &'static str>,
}

impl Tables {
    fn parse(cities: &'static str, zone_tab: &'static str, links: &'static str) -> Tables {
        let mut tables = Tables::default();
        let mut current: Option<&'static str> = None;
        for line in cities.lines().filter(|l| !l.starts_with('#')) {
            if let Some(header) = line.strip_prefix('=') {
                let (code, zones) = header.split_once('\t').unwrap_or((header, ""));
                let country = tables.gazetteer.entry(code).or_default();
                country.zones = zones.split(' ').filter(|z| !z.is_empty()).collect();
                current = Some(code);
            } else if let Some(country) = current.and_then(|c| tables.gazetteer.get_mut(c)) {
                country
                    .names
                    .push(line.split_once('\t').unwrap_or((line, "")));
            }
        }
        for line in zone_tab.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            if let (Some(code), Some(_coordinates), Some(zone)) =
                (cols.next(), cols.next(), cols.next())
            {
                tables.zone_tab.entry(code).or_default().push(zone);
            }
        }
        for line in links.lines().filter(|l| !l.starts_with('#')) {
            if let Some((alias, zone)) = line.split_once('\t') {
                tables.links.insert(alias, zone);
            }
        }
        tables
    }

    /// Whether the country code is one the tables know.
    fn knows(&self, code: &str) -> bool {
        self.gazetteer.contains_key(code) || self.zone_tab.contains_key(code)
    }

    /// Every zone of a country: its cities' first, most common first, then
    /// the rest of `zone.tab`'s.
    fn zones_of(&self, code: &str) -> Vec<&'static str> {
        let mut zones: Vec<&'static str> = Vec::new();
        let cities = self.gazetteer.get(code).map(|c| c.zones.iter());
        let listed = self.zone_tab.get(code).map(|z| z.iter());
        for zone in cities
            .into_iter()
            .flatten()
            .chain(listed.into_iter().flatten())
        {
            if !zones.contains(zone) {
                zones.push(zone);
            }
        }
        zones
    }

    /// The places a normalised name stands for in a country, as
    /// `(zone, population)`, the most populous first; the population is
    /// known only when there are several. Empty when the name is unknown.
    fn places(&self, code: &str, key: &str) -> Vec<(&'static str, Option<u64>)> {
        let Some(country) = self.gazetteer.get(code) else {
            return Vec::new();
        };
        let Ok(at) = country.names.binary_search_by(|(name, _)| (*name).cmp(key)) else {
            return Vec::new();
        };
        let zone = |index: &str| {
            let i: usize = index.parse().ok()?;
            country.zones.get(i).copied()
        };
        let (_, candidates) = country.names[at];
        if candidates.is_empty() {
            return country
                .zones
                .first()
                .map(|z| (*z, None))
                .into_iter()
                .collect();
        }
        candidates
            .split(' ')
            .filter_map(|c| match c.split_once(':') {
                Some((index, population)) => Some((zone(index)?, population.parse().ok())),
                None => Some((zone(c)?, None)),
            })
            .collect()
    }
}

/// The tables, parsed on first use.
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables::parse(CITIES, ZONE_TAB, LINKS))
}

/// Reads an ISO 3166 alpha-2 code (any case) that the tables know.
pub(crate) fn check_country(country: &str) -> Result<String> {
    let code = country.trim().to_uppercase();
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::invalid(format!(
            "`{}` is not an ISO 3166 alpha-2 country code",
            country.trim()
        ))
        .help("write it like GB, DE or US"));
    }
    if !tables().knows(&code) {
        return Err(Error::invalid(format!(
            "unknown country `{code}`: the tz database has no ISO 3166 country with this code"
        ))
        .help("write it like GB, DE or US"));
    }
    Ok(code)
}

/// Reads an IANA timezone name, as the tz database spells it.
pub(crate) fn check_timezone(tz: &str) -> Result<String> {
    chrono_tz::Tz::from_str(tz.trim())
        .map(|z| z.name().to_string())
        .map_err(|_| {
            Error::invalid(format!("`{}` is not an IANA timezone", tz.trim()))
                .help("write it like Europe/London")
        })
}

/// Reads an IANA timezone that is a zone of `country` (already checked by
/// [`check_country`]): one of its zones, or an old name of one
/// (`Europe/Kiev` for UA). `Europe/London` is no zone of AU.
pub(crate) fn check_timezone_of(tz: &str, country: &str) -> Result<String> {
    let zone = check_timezone(tz)?;
    let t = tables();
    let zones = t.zones_of(country);
    let linked = t.links.get(zone.as_str()).copied();
    if zones.contains(&zone.as_str()) || linked.is_some_and(|z| zones.contains(&z)) {
        return Ok(zone);
    }
    Err(
        Error::invalid(format!("`{zone}` is not a timezone of {country}"))
            .help(format!("timezones of {country}: {}", listing(&zones))),
    )
}

/// A timezone derived from a city and country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    /// The IANA zone.
    pub zone: String,
    /// Said when the city's name is ambiguous: which place was taken and
    /// which zones the others are in.
    pub warning: Option<String>,
}

/// The timezone of `city` in `country` (already checked by
/// [`check_country`]). A country whose cities all keep one time gives it
/// whatever the city. Otherwise the city is looked up in the gazetteer by
/// its normalised name ([`city_key`]); a name that several places in
/// different zones share gives the most populous, with a warning that says
/// so. A city the gazetteer does not know is refused; both say
/// `give_timezone`, how the timezone is given instead where the words are
/// read (`pass --timezone`, or a file's field).
pub(crate) fn derive_timezone(city: &str, country: &str, give_timezone: &str) -> Result<Derived> {
    let t = tables();
    let zones = t.zones_of(country);
    let shown = city.trim();
    if let [only] = zones.as_slice() {
        return Ok(Derived {
            zone: (*only).to_string(),
            warning: None,
        });
    }
    let places = t.places(country, &city_key(city));
    match places.as_slice() {
        [] => Err(Error::invalid(format!(
            "cannot derive a timezone from `{shown}, {country}`: {country} has {} timezones and `{shown}` is not among its cities of 15,000 people or more; {give_timezone}",
            zones.len()
        ))
        .help(format!("timezones of {country}: {}", listing(&zones)))),
        [(zone, _)] => Ok(Derived {
            zone: (*zone).to_string(),
            warning: None,
        }),
        [(zone, population), others @ ..] => {
            let others: Vec<String> = others
                .iter()
                .map(|(z, p)| format!("{z} ({})", people(*p)))
                .collect();
            Ok(Derived {
                zone: (*zone).to_string(),
                warning: Some(format!(
                    "there are several places called `{shown}` in {country}, in different timezones: took the most populous, in {zone} ({}); the others are in {}. If that is the wrong one, {give_timezone}",
                    people(*population),
                    others.join(", ")
                )),
            })
        }
    }
}

/// "1,326,087 people", or "population unknown".
fn people(population: Option<u64>) -> String {
    let Some(n) = population else {
        return "population unknown".into();
    };
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{grouped} people")
}

/// The flags a command takes a location by, for its messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocationFlags {
    /// The city's flag (`--city`).
    pub city: &'static str,
    /// The country's flag (`--country`).
    pub country: &'static str,
    /// The timezone's flag (`--timezone`).
    pub timezone: &'static str,
}

/// `user invite` and `user edit`.
pub(crate) const MEMBER_FLAGS: LocationFlags = LocationFlags {
    city: "--city",
    country: "--country",
    timezone: "--timezone",
};

/// `init`, for the owner.
pub(crate) const OWNER_FLAGS: LocationFlags = LocationFlags {
    city: "--owner-city",
    country: "--owner-country",
    timezone: "--owner-timezone",
};

/// A location as typed, before it is checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct LocationInput {
    /// The city.
    pub city: Option<Text>,
    /// The country, any case.
    pub country: Option<String>,
    /// The IANA timezone.
    pub timezone: Option<String>,
}

impl LocationInput {
    /// True when nothing of it is given.
    pub(crate) fn is_empty(&self) -> bool {
        self.city.is_none() && self.country.is_none() && self.timezone.is_none()
    }

    /// Checks it: see [`locate`].
    pub(crate) fn locate(&self, require: bool, flags: LocationFlags) -> Result<Location> {
        locate(
            require,
            flags,
            self.city.as_ref(),
            self.country.as_deref(),
            self.timezone.as_deref(),
        )
    }
}

/// A member's city, country and timezone, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Location {
    /// The city, as typed (trimmed).
    pub city: Option<String>,
    /// The ISO 3166 alpha-2 code.
    pub country: Option<String>,
    /// The IANA zone given, or derived from the city and country.
    pub timezone: Option<String>,
    /// What the caller should be told about the derivation.
    pub warning: Option<String>,
}

/// Checks a location as given: the city must not be blank, the country
/// must be known, a given timezone must be one of the country's, and
/// without one a city and country give one (see [`derive_timezone`]).
/// Catalogs that `require` it (the `moodle` preset: "to ensure timezone
/// is set correctly") need the city and the country.
pub(crate) fn locate(
    require: bool,
    flags: LocationFlags,
    city: Option<&Text>,
    country: Option<&str>,
    timezone: Option<&str>,
) -> Result<Location> {
    let city = city.map(|c| c.required("the city")).transpose()?;
    let country = country.map(check_country).transpose()?;
    if require && (city.is_none() || country.is_none()) {
        let missing = match (&city, &country) {
            (None, None) => "the city and the country are",
            (None, Some(_)) => "the city is",
            _ => "the country is",
        };
        return Err(Error::invalid(format!(
            "this portal needs the city and country of every user, to set their timezone: {missing} missing"
        ))
        .help(format!(
            "pass {} CITY {} CC (ISO 3166 alpha-2), and {} if it cannot be derived",
            flags.city, flags.country, flags.timezone
        )));
    }
    let (timezone, warning) = match (timezone, &city, &country) {
        (Some(tz), _, Some(country)) => (Some(check_timezone_of(tz, country)?), None),
        (Some(tz), _, None) => (Some(check_timezone(tz)?), None),
        (None, Some(city), Some(country)) => {
            let derived = derive_timezone(city, country, &format!("pass {}", flags.timezone))?;
            (Some(derived.zone), derived.warning)
        }
        (None, _, _) => (None, None),
    };
    Ok(Location {
        city,
        country,
        timezone,
        warning,
    })
}

/// The first few names, then how many more.
fn listing(zones: &[&str]) -> String {
    let mut text = zones
        .iter()
        .take(LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if zones.len() > LISTED {
        text.push_str(&format!(" and {} more", zones.len() - LISTED));
    }
    text
}

/// Letters that NFKD does not take apart, spelt in ASCII: the same table
/// as `SPECIAL` in `scripts/gen_cities.py`.
const SPECIAL: &[(char, &str)] = &[
    ('ß', "ss"),
    ('ẞ', "ss"),
    ('æ', "ae"),
    ('Æ', "ae"),
    ('œ', "oe"),
    ('Œ', "oe"),
    ('ø', "o"),
    ('Ø', "o"),
    ('ł', "l"),
    ('Ł', "l"),
    ('đ', "d"),
    ('Đ', "d"),
    ('ð', "d"),
    ('Ð', "d"),
    ('þ', "th"),
    ('Þ', "th"),
    ('ı', "i"),
];

/// Apostrophes are dropped rather than made a space, so `N'Djamena` and
/// `Ndjamena` are one name; the same list as the generator's.
const APOSTROPHES: &[char] = &['\'', '’', 'ʼ', '`', '´', '‘'];

/// A city name reduced for comparison, as `scripts/gen_cities.py` reduces
/// the gazetteer's names: compatibility-decomposed (NFKD) with combining
/// marks dropped and the letters of [`SPECIAL`] spelt out, so accents do
/// not matter (`München` is `munchen`); lower case; apostrophes dropped;
/// any other run of characters that are not letters or digits made one
/// space, so `Port-au-Prince`, `port au  prince` and `Los_Angeles` read
/// as the gazetteer writes them. Letters outside ASCII that do not fold
/// (`東京`) are kept, and so match no name of the gazetteer, which holds
/// ASCII names only.
pub(crate) fn city_key(text: &str) -> String {
    let mut key = String::new();
    let mut gap = false;
    let folded = text
        .nfkd()
        .filter(|c| canonical_combining_class(*c) == 0)
        .flat_map(|c| {
            let spelt = SPECIAL.iter().find(|(s, _)| *s == c).map(|(_, a)| *a);
            match spelt {
                Some(ascii) => ascii.chars().collect::<Vec<_>>(),
                None => c.to_lowercase().collect(),
            }
        });
    for c in folded {
        if APOSTROPHES.contains(&c) {
            continue;
        }
        if c.is_alphanumeric() {
            if gap && !key.is_empty() {
                key.push(' ');
            }
            gap = false;
            key.push(c);
        } else {
            gap = true;
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok(zone)` or the exit code and a piece of the error line.
    enum Want {
        Zone(&'static str),
        Refused(&'static str),
    }
    use Want::{Refused, Zone};

    fn derive(city: &str, country: &str) -> Result<Derived> {
        derive_timezone(city, &check_country(country)?, "pass --timezone")
    }

    #[test]
    fn every_zone_of_the_tables_is_known_to_chrono_tz() {
        let t = tables();
        assert!(t.zone_tab.len() > 200, "zone.tab looks truncated");
        assert!(t.gazetteer.len() > 200, "cities.tsv looks truncated");
        let zone_tab = t
            .zone_tab
            .iter()
            .flat_map(|(c, zs)| zs.iter().map(move |z| (c, z)));
        let cities = t
            .gazetteer
            .iter()
            .flat_map(|(c, g)| g.zones.iter().map(move |z| (c, z)));
        for (country, zone) in zone_tab.chain(cities) {
            assert_eq!(country.len(), 2, "{country}");
            assert_eq!(check_timezone(zone).ok().as_deref(), Some(*zone), "{zone}");
        }
        for (alias, zone) in &t.links {
            assert!(check_timezone(alias).is_ok(), "link {alias}");
            assert!(check_timezone(zone).is_ok(), "link target {zone}");
        }
    }

    #[test]
    fn the_gazetteer_is_sorted_normalised_and_points_at_its_zones() {
        let t = tables();
        let mut names = 0;
        for (code, country) in &t.gazetteer {
            assert!(!country.zones.is_empty(), "{code} lists no zone");
            // Names are listed only where the city decides the zone.
            if t.zones_of(code).len() == 1 {
                assert!(country.names.is_empty(), "{code} has one zone");
            }
            for pair in country.names.windows(2) {
                assert!(pair[0].0 < pair[1].0, "{code}: {pair:?} out of order");
            }
            for (name, _) in &country.names {
                // What the generator wrote is what a user typing it gets.
                assert_eq!(city_key(name), *name, "{code}: {name:?}");
                let places = t.places(code, name);
                assert!(!places.is_empty(), "{code}: {name:?} points nowhere");
                if places.len() > 1 {
                    assert!(places.iter().all(|(_, p)| p.is_some()), "{code}: {name}");
                    assert!(
                        places.windows(2).all(|w| w[0].1 >= w[1].1),
                        "{code}: {name}"
                    );
                }
                names += 1;
            }
        }
        assert!(names > 20_000, "only {names} names");
    }

    #[test]
    fn cities_of_the_articles_and_beyond_give_their_timezone() {
        let cases = [
            // 003: "user's city and country (to ensure timezone is set correctly)".
            ("Frankfurt", "DE", "Europe/Berlin"),
            ("Munich", "DE", "Europe/Berlin"),
            ("München", "DE", "Europe/Berlin"),
            ("Muenchen", "DE", "Europe/Berlin"),
            ("Ottawa", "CA", "America/Toronto"),
            ("Canberra", "AU", "Australia/Sydney"),
            ("Wellington", "NZ", "Pacific/Auckland"),
            ("San Francisco", "US", "America/Los_Angeles"),
            ("Dallas", "US", "America/Chicago"),
            ("Barcelona", "ES", "Europe/Madrid"),
            ("Rio de Janeiro", "BR", "America/Sao_Paulo"),
            ("Kyiv", "UA", "Europe/Kyiv"),
            ("Kiev", "UA", "Europe/Kyiv"),
            ("Perth", "AU", "Australia/Perth"),
            ("New York", "US", "America/New_York"),
            ("Los_Angeles", "US", "America/Los_Angeles"),
            ("Buenos Aires", "AR", "America/Argentina/Buenos_Aires"),
            ("São Paulo", "BR", "America/Sao_Paulo"),
            ("Port-au-Prince", "HT", "America/Port-au-Prince"),
            // A city's own name outranks other places' alternate names:
            // London, Ontario.
            ("London", "CA", "America/Toronto"),
            // A country whose cities keep one time gives it for any city.
            ("Manchester", "GB", "Europe/London"),
            ("Lyon", "FR", "Europe/Paris"),
            ("Anywhere at all", "FR", "Europe/Paris"),
        ];
        for (city, country, zone) in cases {
            let got = derive(city, country).map(|d| d.zone);
            assert_eq!(got.ok().as_deref(), Some(zone), "{city}, {country}");
        }
    }

    #[test]
    fn the_city_and_country_are_read_whatever_their_case_spacing_and_accents() {
        for (city, country) in [
            ("FRANKFURT", "de"),
            ("  frankfurt ", " De "),
            ("MÜNCHEN", "DE"),
            ("san   francisco", "us"),
            ("San-Francisco", "US"),
            ("san_francisco", "US"),
            ("rio-de-janeiro", "br"),
        ] {
            assert!(derive(city, country).is_ok(), "{city}, {country}");
        }
    }

    #[test]
    fn an_ambiguous_name_takes_the_most_populous_place_and_says_so() {
        // Dallas, Texas (America/Chicago) and Dallas, Oregon
        // (America/Los_Angeles).
        let d = derive("Dallas", "US").expect("derived");
        assert_eq!(d.zone, "America/Chicago");
        let warning = d.warning.expect("a warning");
        assert!(
            warning.contains("several places called `Dallas` in US"),
            "{warning}"
        );
        assert!(warning.contains("America/Los_Angeles"), "{warning}");
        assert!(warning.contains("people"), "{warning}");
        assert!(warning.contains("--timezone"), "{warning}");
        // Places of one name that keep one time are no ambiguity worth a
        // word: Frankfurt am Main and Frankfurt (Oder).
        assert_eq!(derive("Frankfurt", "DE").expect("derived").warning, None);
        assert_eq!(derive("Ottawa", "CA").expect("derived").warning, None);
    }

    #[test]
    fn unknown_cities_of_countries_with_several_zones_ask_for_a_timezone() {
        let cases = [
            ("Nowhereville", "US", Refused("not among its cities")),
            ("Atlantis", "US", Refused("pass --timezone")),
            // Büsingen is too small for the gazetteer and keeps Zurich's time.
            ("Büsingen", "DE", Refused("DE has 2 timezones")),
            ("東京", "US", Refused("pass --timezone")),
            ("London", "XX", Refused("unknown country `XX`")),
            ("London", "GBR", Refused("not an ISO 3166 alpha-2")),
            ("London", "", Refused("not an ISO 3166 alpha-2")),
            ("London", "GB", Zone("Europe/London")),
        ];
        for (city, country, want) in cases {
            match (want, derive(city, country)) {
                (Zone(zone), Ok(got)) => assert_eq!(got.zone, zone, "{city}, {country}"),
                (Refused(text), Err(e)) => {
                    assert_eq!(e.exit_code(), 2, "{city}, {country}: {e}");
                    assert!(e.to_string().contains(text), "{city}, {country}: {e}");
                }
                (Zone(zone), Err(e)) => panic!("{city}, {country}: wanted {zone}, got {e}"),
                (Refused(text), Ok(got)) => {
                    panic!("{city}, {country}: wanted a refusal ({text}), got {got:?}")
                }
            }
        }
        let err = derive("Nowhereville", "US").expect_err("unknown");
        let help = err.help_text().unwrap_or_default();
        assert!(
            help.contains("America/New_York") && help.contains("more"),
            "{help}"
        );
    }

    #[test]
    fn a_given_timezone_must_be_one_of_the_country() {
        let of = |tz: &str, country: &str| check_timezone_of(tz, country);
        assert_eq!(
            of("Australia/Perth", "AU").ok().as_deref(),
            Some("Australia/Perth")
        );
        assert_eq!(
            of(" Europe/Berlin ", "DE").ok().as_deref(),
            Some("Europe/Berlin")
        );
        // A zone no large city is in is still the country's.
        assert_eq!(
            of("Europe/Busingen", "DE").ok().as_deref(),
            Some("Europe/Busingen")
        );
        // An old name of one of its zones counts, and is kept as given.
        assert_eq!(of("Europe/Kiev", "UA").ok().as_deref(), Some("Europe/Kiev"));
        let err = of("Europe/London", "AU").expect_err("not Australian");
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .contains("`Europe/London` is not a timezone of AU"),
            "{err}"
        );
        assert!(
            err.help_text()
                .unwrap_or_default()
                .contains("Australia/Perth"),
            "{err:?}"
        );
        assert_eq!(
            of("Europe/Londres", "GB").map_err(|e| e.exit_code()),
            Err(2)
        );
    }

    #[test]
    fn a_location_is_checked_whole() {
        let city = |s: &str| Text::parse("the city", s).expect("text");
        let perth = city("Perth");
        let loc = locate(true, MEMBER_FLAGS, Some(&perth), Some("au"), None).expect("derived");
        assert_eq!(loc.timezone.as_deref(), Some("Australia/Perth"));
        assert_eq!(loc.country.as_deref(), Some("AU"));
        let err = locate(
            false,
            MEMBER_FLAGS,
            Some(&perth),
            Some("AU"),
            Some("Europe/London"),
        )
        .expect_err("wrong country");
        assert_eq!(err.exit_code(), 2);
        let err = locate(true, OWNER_FLAGS, None, Some("GB"), None).expect_err("no city");
        assert!(err.to_string().contains("the city is missing"), "{err}");
        assert!(
            err.help_text().unwrap_or_default().contains("--owner-city"),
            "{err:?}"
        );
        let blank = city(" ");
        assert!(locate(false, MEMBER_FLAGS, Some(&blank), Some("GB"), None).is_err());
        let none = locate(false, MEMBER_FLAGS, None, None, None).expect("nothing given");
        assert_eq!(none, Location::default());
    }

    #[test]
    fn city_keys_ignore_case_spacing_accents_and_apostrophes() {
        assert_eq!(city_key(" Port-au-Prince "), "port au prince");
        assert_eq!(city_key("Port  au_Prince"), "port au prince");
        assert_eq!(city_key("Frankfurt (Oder)"), "frankfurt oder");
        assert_eq!(city_key("St. John's"), "st johns");
        assert_eq!(city_key("N’Djamena"), "ndjamena");
        assert_eq!(city_key("Réunion"), "reunion");
        assert_eq!(city_key("Straße"), "strasse");
        assert_eq!(city_key("Łódź"), "lodz");
        assert_eq!(city_key("București"), "bucuresti");
        assert_eq!(city_key("İstanbul"), "istanbul");
        assert_eq!(city_key("Ærøskøbing"), "aeroskobing");
        assert_eq!(city_key("東京"), "東京");
        assert_eq!(city_key(" -- "), "");
    }

    #[test]
    fn population_reads_in_thousands() {
        assert_eq!(people(Some(1_326_087)), "1,326,087 people");
        assert_eq!(people(Some(15_277)), "15,277 people");
        assert_eq!(people(Some(999)), "999 people");
        assert_eq!(people(None), "population unknown");
    }
}
