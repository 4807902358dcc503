"""Regenerate ``src/ecosystem/_data/metros.csv``, the world metros of ``ecosystem.regions.metros()``.

Run from the repository root (no network, no extra package: it reads the shipped gazetteer)::

    PYTHONPATH=src python scripts/make_metros.py

The metros are the science and technology clusters of WIPO's Global Innovation Index
(GII 2024/2025 rankings). WIPO draws its clusters bottom-up from inventor and author
addresses and publishes them as names and maps only, so each is written here as a union of
units that the location codes of our inputs and the gazetteer can express:

``admin1``
    whole admin-1 units, by GeoNames code (found from a city inside the unit) plus the
    names and ISO 3166-2 codes written below, so that names match too: Japanese
    prefectures, Korean metropolitan cities and provinces, the Chinese municipalities
    (Beijing, Shanghai, Tianjin, Chongqing), Moscow;
``near``
    every gazetteer place (GeoNames, population >= 15,000) within ``radius_km`` of the
    anchor cities, written out one place per row. Used where the standard unit (a US
    county of the OMB 2023 CBSA/CSA delineation, a Chinese prefecture-level city, a
    European NUTS3 region) cannot be expressed: the gazetteer carries admin-1 codes only,
    no counties or prefectures. Each such metro says so in its comment.

The four seed metros of ``_data/seed_regions.csv`` stand for four GII clusters
(Tokyo–Yokohama = GTKY, Shenzhen–Hong Kong–Guangzhou = GBA, San Jose–San Francisco = SFBA,
New York City = NYC) and are not repeated here; places they already hold are left out.
A metro whose places lie in several countries is split into one part per country under a
parent (as the GBA is into GBA-GD, GBA-HK, GBA-MO), so that exchange between the parts is
the cross-boundary layer. A place within reach of two metros goes to the nearer anchor.

Each metro's ``check`` says where its GII name comes from: ``press`` = named with its
rank in press reports of the GII 2024 or 2025 ranking (see docs/regions.md §1.2);
``recalled`` = a GII cluster name not checked against the GII data annex, to be verified.
"""

from __future__ import annotations

import csv
import io
import os
import sys

import numpy as np

from ecosystem.regions import gazetteer, metro_areas
from ecosystem.regions._gazetteer import admin1_code
from ecosystem.regions._names import name_key

OUT = os.path.join("src", "ecosystem", "_data", "metros.csv")
RADIUS_KM = 30.0

# (code, GII cluster name, check, units); units: ("admin1", country, city in the unit,
# "names|ISO code") or ("near", country, [anchor cities], radius_km or None)
SPEC = [
    # -- China (the GBA is the seed GBA; Macao–Zhuhai, GII 2024 #100, lies inside it)
    ("CN-BJ", "Beijing", "press", [("admin1", "CN", "Beijing", "Beijing|Peking|CN-BJ|CN-11")]),
    ("CN-SHSZ", "Shanghai–Suzhou", "press", [
        ("admin1", "CN", "Shanghai", "Shanghai|CN-SH|CN-31"), ("near", "CN", ["Suzhou"], None)]),
    ("CN-NJ", "Nanjing", "press", [("near", "CN", ["Nanjing"], None)]),
    ("CN-HZ", "Hangzhou", "press", [("near", "CN", ["Hangzhou"], None)]),
    ("CN-WH", "Wuhan", "press", [("near", "CN", ["Wuhan"], None)]),
    ("CN-XA", "Xi'an", "recalled", [("near", "CN", ["Xi'an"], None)]),
    ("CN-CD", "Chengdu", "recalled", [("near", "CN", ["Chengdu"], None)]),
    ("CN-CS", "Changsha", "recalled", [("near", "CN", ["Changsha"], None)]),
    ("CN-HF", "Hefei", "press", [("near", "CN", ["Hefei"], None)]),
    ("CN-ZZ", "Zhengzhou", "press", [("near", "CN", ["Zhengzhou"], None)]),
    ("CN-QD", "Qingdao", "recalled", [("near", "CN", ["Qingdao"], None)]),
    ("CN-TJ", "Tianjin", "recalled", [("admin1", "CN", "Tianjin", "Tianjin|Tientsin|CN-TJ|CN-12")]),
    ("CN-CQ", "Chongqing", "recalled", [("admin1", "CN", "Chongqing", "Chongqing|Chungking|CN-CQ|CN-50")]),
    ("CN-JN", "Jinan", "recalled", [("near", "CN", ["Jinan"], None)]),
    ("CN-SY", "Shenyang", "recalled", [("near", "CN", ["Shenyang"], None)]),
    ("CN-HRB", "Harbin", "recalled", [("near", "CN", ["Harbin"], None)]),
    ("CN-DL", "Dalian", "recalled", [("near", "CN", ["Dalian"], None)]),
    ("CN-CC", "Changchun", "recalled", [("near", "CN", ["Changchun"], None)]),
    ("CN-FZ", "Fuzhou", "recalled", [("near", "CN", ["Fuzhou"], None)]),
    ("CN-XM", "Xiamen", "recalled", [("near", "CN", ["Xiamen"], None)]),
    ("CN-LZ", "Lanzhou", "recalled", [("near", "CN", ["Lanzhou"], None)]),
    ("CN-KM", "Kunming", "press", [("near", "CN", ["Kunming"], None)]),
    ("CN-NC", "Nanchang", "press", [("near", "CN", ["Nanchang"], None)]),
    ("TW-TPE", "Taipei–Hsinchu", "recalled", [("near", "TW", ["Taipei", "Hsinchu"], None)]),
    # -- Japan and Korea (prefectures; metropolitan cities and provinces)
    ("JP-KEIHANSHIN", "Osaka–Kobe–Kyoto", "press", [
        ("admin1", "JP", "Osaka", "Osaka|Ōsaka|Osaka-fu|JP-27"),
        ("admin1", "JP", "Kobe", "Hyogo|Hyōgo|Hyogo-ken|JP-28"),
        ("admin1", "JP", "Kyoto", "Kyoto|Kyōto|Kyoto-fu|JP-26")]),
    ("JP-NGO", "Nagoya", "recalled", [("admin1", "JP", "Nagoya", "Aichi|Aichi-ken|JP-23")]),
    ("KR-SEL", "Seoul", "press", [
        ("admin1", "KR", "Seoul", "Seoul|Seoul-teukbyeolsi|KR-11"),
        ("admin1", "KR", "Incheon", "Incheon|Incheon-gwangyeoksi|KR-28"),
        ("admin1", "KR", "Suwon", "Gyeonggi|Gyeonggi-do|Kyonggi|KR-41")]),
    ("KR-DJ", "Daejeon", "recalled", [
        ("admin1", "KR", "Daejeon", "Daejeon|Taejon|Daejeon-gwangyeoksi|KR-30"),
        ("admin1", "KR", "Sejong", "Sejong|Sejong-si|KR-50")]),
    ("KR-BS", "Busan", "recalled", [("admin1", "KR", "Busan", "Busan|Pusan|Busan-gwangyeoksi|KR-26")]),
    # -- United States (OMB counties not expressible from the gazetteer: places near anchors)
    ("US-BOS", "Boston–Cambridge", "press", [("near", "US", ["Boston", "Cambridge"], None)]),
    ("US-LA", "Los Angeles", "press", [("near", "US", ["Los Angeles", "Irvine"], None)]),
    ("US-SD", "San Diego", "press", [("near", "US", ["San Diego"], None)]),
    ("US-SEA", "Seattle", "recalled", [("near", "US", ["Seattle"], None)]),
    ("US-WAS", "Washington DC–Baltimore", "recalled", [("near", "US", ["Washington", "Baltimore"], None)]),
    ("US-CHI", "Chicago", "recalled", [("near", "US", ["Chicago"], None)]),
    ("US-HOU", "Houston", "recalled", [("near", "US", ["Houston"], None)]),
    ("US-PHL", "Philadelphia", "recalled", [("near", "US", ["Philadelphia"], None)]),
    ("US-RDU", "Raleigh", "recalled", [("near", "US", ["Raleigh", "Durham"], None)]),
    ("US-MSP", "Minneapolis", "recalled", [("near", "US", ["Minneapolis"], None)]),
    ("US-ATL", "Atlanta", "recalled", [("near", "US", ["Atlanta"], None)]),
    ("US-ARB", "Ann Arbor", "recalled", [("near", "US", ["Ann Arbor"], 20.0)]),
    ("US-DFW", "Dallas", "recalled", [("near", "US", ["Dallas"], None)]),
    ("US-AUS", "Austin", "recalled", [("near", "US", ["Austin"], None)]),
    ("US-PDX", "Portland", "recalled", [("near", "US", ["Portland"], None)]),
    ("US-PHX", "Phoenix", "recalled", [("near", "US", ["Phoenix"], None)]),
    ("US-DEN", "Denver", "recalled", [("near", "US", ["Denver", "Boulder"], None)]),
    ("US-PIT", "Pittsburgh", "recalled", [("near", "US", ["Pittsburgh"], None)]),
    ("US-CVG", "Cincinnati", "recalled", [("near", "US", ["Cincinnati"], None)]),
    ("US-SLC", "Salt Lake City", "recalled", [("near", "US", ["Salt Lake City"], None)]),
    # -- Europe (NUTS3 not expressible from the gazetteer: places near anchors)
    ("GB-LON", "London", "press", [("near", "GB", ["London"], None)]),
    ("GB-CAM", "Cambridge", "press", [("near", "GB", ["Cambridge"], 15.0)]),
    ("GB-OXF", "Oxford", "press", [("near", "GB", ["Oxford"], 15.0)]),
    ("GB-MAN", "Manchester", "recalled", [("near", "GB", ["Manchester"], None)]),
    ("FR-PAR", "Paris", "press", [("near", "FR", ["Paris"], None)]),
    ("FR-LYS", "Lyon", "recalled", [("near", "FR", ["Lyon"], None)]),
    ("DE-MUC", "Munich", "press", [("near", "DE", ["Munich"], None)]),
    ("DE-CGN", "Cologne", "recalled", [("near", "DE", ["Cologne", "Düsseldorf"], None)]),
    ("DE-STR", "Stuttgart", "recalled", [("near", "DE", ["Stuttgart"], None)]),
    ("DE-FRA", "Frankfurt am Main", "recalled", [("near", "DE", ["Frankfurt am Main"], None)]),
    ("DE-BER", "Berlin", "recalled", [("near", "DE", ["Berlin"], None)]),
    ("DE-HAM", "Hamburg", "recalled", [("near", "DE", ["Hamburg"], None)]),
    ("DE-NUE", "Nuremberg–Erlangen", "recalled", [("near", "DE", ["Nuremberg", "Erlangen"], 20.0)]),
    ("DE-MHG", "Heidelberg–Mannheim", "recalled", [("near", "DE", ["Heidelberg", "Mannheim"], 20.0)]),
    ("NL-AMS", "Amsterdam–Rotterdam", "recalled", [("near", "NL", ["Amsterdam", "Rotterdam"], None)]),
    ("NL-EIN", "Eindhoven", "press", [("near", "NL", ["Eindhoven"], 25.0)]),
    ("BE-BRU", "Brussels", "recalled", [("near", "BE", ["Brussels", "Leuven"], 25.0)]),
    ("CH-ZRH", "Zurich", "recalled", [("near", "CH", ["Zurich"], None)]),
    ("CH-BSL", "Basel", "press", [("near", "CH", ["Basel"], 20.0)]),
    ("CH-LSN", "Lausanne–Geneva", "recalled", [("near", "CH", ["Lausanne", "Geneva"], 20.0)]),
    ("SE-STO", "Stockholm", "recalled", [("near", "SE", ["Stockholm"], None)]),
    ("DK-CPH", "Copenhagen", "recalled", [("near", "DK", ["Copenhagen"], None)]),
    ("FI-HEL", "Helsinki", "recalled", [("near", "FI", ["Helsinki"], None)]),
    ("AT-VIE", "Vienna", "recalled", [("near", "AT", ["Vienna"], None)]),
    ("IT-MIL", "Milan", "recalled", [("near", "IT", ["Milan"], None)]),
    ("IT-ROM", "Rome", "recalled", [("near", "IT", ["Rome"], None)]),
    ("ES-MAD", "Madrid", "recalled", [("near", "ES", ["Madrid"], None)]),
    ("ES-BCN", "Barcelona", "recalled", [("near", "ES", ["Barcelona"], None)]),
    ("PL-WAW", "Warsaw", "recalled", [("near", "PL", ["Warsaw"], None)]),
    ("RU-MOW", "Moscow", "recalled", [("admin1", "RU", "Moscow", "Moscow|Moskva|RU-MOW")]),
    # -- elsewhere
    ("IL-TLV", "Tel Aviv–Jerusalem", "recalled", [("near", "IL", ["Tel Aviv", "Jerusalem"], None)]),
    ("TR-IST", "Istanbul", "press", [("near", "TR", ["Istanbul"], 40.0)]),
    ("TR-ANK", "Ankara", "recalled", [("near", "TR", ["Ankara"], None)]),
    ("IR-THR", "Tehran", "press", [("near", "IR", ["Tehran"], None)]),
    ("EG-CAI", "Cairo", "press", [("near", "EG", ["Cairo"], None)]),
    ("IN-BLR", "Bengaluru", "press", [("near", "IN", ["Bengaluru"], None)]),
    ("IN-DEL", "Delhi", "recalled", [("near", "IN", ["Delhi"], None)]),
    ("IN-BOM", "Mumbai", "recalled", [("near", "IN", ["Mumbai"], None)]),
    ("IN-MAA", "Chennai", "press", [("near", "IN", ["Chennai"], None)]),
    ("SG", "Singapore", "press", [("country", "SG")]),
    ("MY-KUL", "Kuala Lumpur", "press", [("near", "MY", ["Kuala Lumpur"], None)]),
    ("AU-MEL", "Melbourne", "recalled", [("near", "AU", ["Melbourne"], None)]),
    ("AU-SYD", "Sydney", "recalled", [("near", "AU", ["Sydney"], None)]),
    ("CA-TOR", "Toronto", "press", [("near", "CA", ["Toronto"], None)]),
    ("CA-MTL", "Montreal", "recalled", [("near", "CA", ["Montreal"], None)]),
    ("CA-VAN", "Vancouver", "recalled", [("near", "CA", ["Vancouver"], None)]),
    ("BR-SAO", "São Paulo", "press", [("near", "BR", ["São Paulo"], None)]),
]
SEEDS = [("GTKY", "Tokyo–Yokohama", "press"), ("GBA", "Shenzhen–Hong Kong–Guangzhou", "press"),
         ("SFBA", "San Jose–San Francisco", "press"), ("NYC", "New York City", "press")]


def main():
    g = gazetteer()
    t = g.table
    country_col, admin_col = t["country"].to_numpy(object), t["admin1"].to_numpy(object)
    names = t["name"].to_numpy(object)
    ascii_ = t["asciiname"].to_numpy(object)
    seeds = metro_areas(rest=None)
    seed_ids, _ = seeds.resolve(*g.location(np.arange(len(t))))
    # candidate places: metro -> {row: distance to the nearest anchor}
    claims = {}
    for code, _, _, units in SPEC:
        for unit in units:
            if unit[0] != "near":
                continue
            _, country, anchors, radius = unit
            radius = radius or RADIUS_KM
            for anchor in anchors:
                row = int(g.find([country], None, [anchor])[0])
                if row < 0:
                    sys.exit(f"{code}: anchor {anchor!r} ({country}) not in the gazetteer")
                lat, lon = t["latitude"].iloc[row], t["longitude"].iloc[row]
                tree = g._kdtree()  # noqa: SLF001 - the script shares the gazetteer's index
                from ecosystem.regions._gazetteer import chord_to_km, km_to_chord, unit_xyz
                near = tree.query_ball_point(unit_xyz([lat], [lon])[0], float(km_to_chord(radius)))
                xyz = unit_xyz(t["latitude"].to_numpy()[near], t["longitude"].to_numpy()[near])
                dist = chord_to_km(np.linalg.norm(xyz - unit_xyz([lat], [lon])[0], axis=1))
                for r, d in zip(near, dist):
                    if seed_ids[r] >= 0:
                        continue
                    best = claims.setdefault(r, (code, d))
                    if d < best[1]:
                        claims[r] = (code, d)
    # the most populous place of each name in a country: it alone is written without
    # admin-1, so that a bare name means what the gazetteer's find() means
    keys = [name_key(n) for n in names]
    top = {}
    for r in np.argsort(-t["population"].to_numpy(), kind="stable").tolist():
        top.setdefault((country_col[r], keys[r]), r)
    counts = {}
    for c, k in zip(country_col, keys):
        counts[(c, k)] = counts.get((c, k), 0) + 1
    # keys the seed metros already hold (a bare name, or a name within a US state)
    written = set()
    for rule in seeds.rules_frame().itertuples():
        if rule.level == "city":
            written.add((rule.country, "", name_key(rule.city)))
        elif rule.level == "admin1+city" and rule.country == "US":
            written.add((rule.country, rule.admin1, name_key(rule.city)))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    out.write(__doc__.split("\n\n")[0].replace('"""', "").join(["# ", "\n"]))
    out.write("# Generated by scripts/make_metros.py from the shipped GeoNames gazetteer (CC BY 4.0);"
              " edit the script, not this file.\n")
    out.write("# Seed metros standing for GII clusters (defined in seed_regions.csv): "
              + "; ".join(f"{c} = {n}" for c, n, _ in SEEDS) + ".\n")
    w.writerow(["region", "jurisdiction", "country", "admin1", "city", "county", "parent", "label"])
    n_metros = 0
    for code, label, check, units in SPEC:
        rows_by_country = {}
        sources = []
        admin_rows = []
        for unit in units:
            if unit[0] == "admin1":
                _, country, city, spellings = unit
                row = int(g.find([country], None, [city])[0])
                gn = admin1_code(country, admin_col[row])
                admin_rows.append((country, f"{gn}|{spellings}"))
                # the unit's places by name too, so that "Kobe" alone finds Hyogo's metro
                inside = np.flatnonzero((country_col == country) & (admin_col == admin_col[row]))
                for r in inside.tolist():
                    if seed_ids[r] < 0:
                        claims.setdefault(r, (code, 0.0))
                sources.append(f"admin-1 {spellings.split('|')[0]} ({gn})")
            elif unit[0] == "country":
                admin_rows.append((unit[1], None))
                sources.append(f"the whole country {unit[1]}")
            else:
                _, country, anchors, radius = unit
                sources.append(f"GeoNames places >= 15,000 within {radius or RADIUS_KM:g} km of "
                               + ", ".join(anchors))
        for r, (owner, _) in claims.items():
            if owner == code:
                rows_by_country.setdefault(country_col[r], []).append(r)
        countries = sorted({c for c, _ in admin_rows} | set(rows_by_country))
        parts = {c: (code if len(countries) == 1 else f"{code}-{c}") for c in countries}
        parent = code if len(countries) > 1 else None
        home = units[0][1]
        out.write(f"#\n# {code}: {label} (GII S&T cluster; name check: {check}). Units: "
                  + "; ".join(sources) + ".\n")
        first = {}
        for country, spellings in admin_rows:
            part = parts[country]
            lab = label if part == code else f"{label} ({country})"
            w.writerow([part, country if part not in first else "", country,
                        spellings or "", "", "", parent or "", lab if part not in first else ""])
            first[part] = True
        for country in countries:
            part = parts[country]
            rows = sorted(rows_by_country.get(country, []), key=lambda r: -t["population"].iloc[r])
            for r in rows:
                spell = names[r] if ascii_[r] in ("", names[r]) else f"{names[r]}|{ascii_[r]}"
                key = keys[r]
                admin = admin1_code(country, admin_col[r]) or ""
                in_admin1 = any(c == country and s.split("|")[0] == admin
                                for c, s in admin_rows if s)
                forms = []
                if country == "US" or counts[(country, key)] > 1:
                    if not in_admin1:
                        forms.append(admin)          # qualified by its GeoNames admin-1 code
                if country != "US" and top[(country, key)] == r:
                    forms.append("")                 # the bare name
                for admin_form in forms:
                    if (country, admin_form, key) in written:
                        print(f"{code}: {names[r]} ({country} {admin_form}) already written; "
                              "skipped", file=sys.stderr)
                        continue
                    written.add((country, admin_form, key))
                    lab = label if part == code else f"{label} ({country})"
                    w.writerow([part, country if part not in first else "", country, admin_form,
                                spell, "", parent or "", lab if part not in first else ""])
                    first[part] = True
        if not first:
            sys.exit(f"{code}: no unit")
        n_metros += 1
        del home
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())
    from ecosystem.regions import metros  # noqa: PLC0415 - check that the file builds a map

    print(metros(), file=sys.stderr)
    print(f"wrote {OUT}: {n_metros} metros (+ {len(SEEDS)} seed metros)", file=sys.stderr)


if __name__ == "__main__":
    main()
