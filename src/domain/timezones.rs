//! Members' locations: ISO 3166 country codes, IANA timezones, and the
//! timezone derived from a city and country.
//!
//! chrono-tz knows zone names but not their countries, so the country ↔ zone
//! table is the tz database's own `zone.tab` (public domain), kept verbatim
//! in `src/tzdata/` so it can be refreshed by copying a newer one over it.
//! A unit test checks that chrono-tz knows every zone it lists.

use std::str::FromStr;

use crate::error::{Error, Result};

/// The tz database's `zone.tab`: country code, coordinates, zone, comment.
const ZONE_TAB: &str = include_str!("../tzdata/zone.tab");

/// How many zone names an error lists before it stops.
const LISTED: usize = 8;

/// `(country, zone)` rows of a `zone.tab` text, in file order. Comment and
/// malformed lines are skipped.
fn parse_zone_tab(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let country = cols.next()?;
            let _coordinates = cols.next()?;
            let zone = cols.next()?;
            Some((country, zone))
        })
        .collect()
}

/// The shipped table, parsed once per use; it is small (about 400 rows).
fn zone_table() -> Vec<(&'static str, &'static str)> {
    parse_zone_tab(ZONE_TAB)
}

/// Reads an ISO 3166 alpha-2 code (any case) that the tz database knows.
pub(crate) fn check_country(country: &str) -> Result<String> {
    check_country_in(&zone_table(), country)
}

fn check_country_in(table: &[(&str, &str)], country: &str) -> Result<String> {
    let code = country.trim().to_uppercase();
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(Error::invalid(format!(
            "`{}` is not an ISO 3166 alpha-2 country code",
            country.trim()
        ))
        .help("write it like GB, DE or US"));
    }
    if !table.iter().any(|(c, _)| *c == code) {
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

/// The timezone of `city` in `country` (already checked by
/// [`check_country`]): the zone of that country whose last component is
/// the city (`London, GB` → `Europe/London`, `new york, us` →
/// `America/New_York`), else the country's only zone (`Manchester, GB` →
/// `Europe/London`). Anything else cannot be told apart and asks for
/// `--timezone`.
pub(crate) fn derive_timezone(city: &str, country: &str) -> Result<String> {
    derive_in(&zone_table(), city, country)
}

fn derive_in(table: &[(&str, &str)], city: &str, country: &str) -> Result<String> {
    let country = check_country_in(table, country)?;
    let zones: Vec<&str> = table
        .iter()
        .filter(|(c, _)| *c == country)
        .map(|(_, z)| *z)
        .collect();
    let wanted = city_key(city);
    let named: Vec<&str> = zones
        .iter()
        .copied()
        .filter(|zone| zone.rsplit('/').next().map(city_key).as_deref() == Some(wanted.as_str()))
        .collect();
    let shown = city.trim();
    match (named.as_slice(), zones.as_slice()) {
        ([zone], _) => Ok((*zone).to_string()),
        ([], [only]) => Ok((*only).to_string()),
        ([], _) => Err(Error::invalid(format!(
            "cannot derive a timezone from `{shown}, {country}`: {country} has {} timezones and none is named after `{shown}`; pass --timezone",
            zones.len()
        ))
        .help(format!("timezones of {country}: {}", listing(&zones)))),
        (several, _) => Err(Error::invalid(format!(
            "cannot derive a timezone from `{shown}, {country}`: it could be any of {}; pass --timezone",
            several.len()
        ))
        .help(format!("timezones named after `{shown}`: {}", listing(several)))),
    }
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

/// A city or zone component reduced for comparison: lower case, accents
/// dropped (zone names are ASCII), and runs of spaces, underscores and
/// dashes made one underscore, so `Port au Prince`, `port-au-prince` and
/// `Port-au-Prince` compare equal.
fn city_key(text: &str) -> String {
    let mut key = String::new();
    let mut gap = false;
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '_' || c == '-' {
            gap = !key.is_empty();
            continue;
        }
        if gap {
            key.push('_');
            gap = false;
        }
        key.push_str(fold_accent(c));
    }
    key
}

/// The ASCII letters a lower-case accented Latin letter is written with in
/// zone names (`São Paulo` → `Sao_Paulo`, `Zürich` → `Zurich`).
fn fold_accent(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => ascii_or_other(c),
    }
}

/// Plain letters and digits stand for themselves; any other character is
/// kept as a marker that matches no zone name.
fn ascii_or_other(c: char) -> &'static str {
    const ASCII: &str = "abcdefghijklmnopqrstuvwxyz0123456789.'";
    match ASCII.find(c) {
        Some(i) => &ASCII[i..i + 1],
        None => "?",
    }
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

    #[test]
    fn every_zone_of_the_table_is_known_to_chrono_tz() {
        let table = zone_table();
        assert!(table.len() > 300, "zone.tab looks truncated");
        for (country, zone) in table {
            assert_eq!(country.len(), 2, "{country}");
            assert_eq!(check_timezone(zone).ok().as_deref(), Some(zone), "{zone}");
        }
    }

    #[test]
    fn cities_and_countries_give_their_timezone() {
        let cases = [
            ("London", "GB", Zone("Europe/London")),
            ("london", "gb", Zone("Europe/London")),
            ("  LONDON ", "Gb", Zone("Europe/London")),
            ("New York", "US", Zone("America/New_York")),
            ("new_york", "us", Zone("America/New_York")),
            ("NEW   YORK", "US", Zone("America/New_York")),
            ("Indianapolis", "US", Zone("America/Indiana/Indianapolis")),
            ("Buenos Aires", "AR", Zone("America/Argentina/Buenos_Aires")),
            ("Port au Prince", "HT", Zone("America/Port-au-Prince")),
            ("São Paulo", "BR", Zone("America/Sao_Paulo")),
            ("Zürich", "CH", Zone("Europe/Zurich")),
            ("Busingen", "DE", Zone("Europe/Busingen")),
            ("Berlin", "de", Zone("Europe/Berlin")),
            ("Perth", "AU", Zone("Australia/Perth")),
            // A country with one zone needs no matching city.
            ("Manchester", "GB", Zone("Europe/London")),
            ("Lyon", "FR", Zone("Europe/Paris")),
            // Several zones and none named after the city: ambiguous.
            ("Munich", "DE", Refused("DE has 2 timezones")),
            (
                "Springfield",
                "US",
                Refused("none is named after `Springfield`"),
            ),
            // London, Ontario is not Europe/London.
            ("London", "CA", Refused("--timezone")),
            // A zone of another country does not count.
            ("Paris", "US", Refused("--timezone")),
            ("Sydney", "CA", Refused("--timezone")),
            // Unknown countries.
            ("London", "XX", Refused("unknown country `XX`")),
            ("London", "GBR", Refused("not an ISO 3166 alpha-2")),
            ("London", "", Refused("not an ISO 3166 alpha-2")),
        ];
        for (city, country, want) in cases {
            let got = derive_timezone(city, country);
            match (want, got) {
                (Zone(zone), Ok(got)) => assert_eq!(got, zone, "{city}, {country}"),
                (Refused(text), Err(e)) => {
                    assert_eq!(e.exit_code(), 2, "{city}, {country}: {e}");
                    assert!(e.to_string().contains(text), "{city}, {country}: {e}");
                }
                (Zone(zone), Err(e)) => panic!("{city}, {country}: wanted {zone}, got {e}"),
                (Refused(text), Ok(got)) => {
                    panic!("{city}, {country}: wanted a refusal ({text}), got {got}")
                }
            }
        }
    }

    #[test]
    fn refusals_ask_for_timezone_and_list_candidates() {
        let err = derive_timezone("Springfield", "US").expect_err("ambiguous");
        assert!(err.to_string().contains("pass --timezone"), "{err}");
        let help = err.help_text().unwrap_or_default();
        assert!(
            help.contains("America/New_York") && help.contains("more"),
            "{help}"
        );
    }

    #[test]
    fn two_zones_named_after_one_city_are_ambiguous() {
        // No country of the real table has this, but a refreshed one might.
        let table = [
            ("XY", "Area/Springfield"),
            ("XY", "Other/Springfield"),
            ("XY", "Area/Capital"),
        ];
        let err = derive_in(&table, "springfield", "xy").expect_err("ambiguous");
        assert!(err.to_string().contains("any of 2"), "{err}");
        assert!(
            err.help_text()
                .unwrap_or_default()
                .contains("Other/Springfield"),
            "{err:?}"
        );
        assert_eq!(
            derive_in(&table, "Capital", "XY").ok().as_deref(),
            Some("Area/Capital")
        );
    }

    #[test]
    fn country_codes_are_checked_against_the_table() {
        assert_eq!(check_country(" gb ").ok().as_deref(), Some("GB"));
        assert_eq!(check_country("XK").ok(), None, "not in the tz database");
        assert_eq!(check_country("G1").ok(), None);
    }

    #[test]
    fn city_keys_ignore_case_spacing_and_accents() {
        assert_eq!(city_key(" Port-au-Prince "), "port_au_prince");
        assert_eq!(city_key("Port  au_Prince"), "port_au_prince");
        assert_eq!(city_key("Ho Chi Minh"), "ho_chi_minh");
        assert_eq!(city_key("Dumont d'Urville"), "dumont_d'urville");
        assert_eq!(city_key("Réunion"), "reunion");
        assert_eq!(city_key("東京"), "??");
    }
}
