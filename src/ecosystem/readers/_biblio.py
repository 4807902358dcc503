"""Rows of a paper from authors, their printed addresses and corresponding authors.

Shared by the Web of Science and Scopus readers. Counting rule (formats.md §7): each
author weighs ``1/n``; an author's weight is split equally over the author's distinct
countries, then over the author's addresses in each country. Authors without an address
are dropped (their share goes to ``report.unknown_share``). When a record gives
addresses without author links (WoS before ~2008), each address is a contributor of its
own (role ``"address"``, weight ``1/n_addresses``).
"""

from __future__ import annotations

import re

from ._places import parse_address

_SPACE = re.compile(r"[\s.]+")


def name_key(name):
    """Comparable form of a person name: surname + initials, lower case."""
    name = name.strip()
    if "," in name:
        surname, given = name.split(",", 1)
    else:  # "Chen L." / "L. Chen" handled by the callers; default: last word is surname
        parts = name.split()
        if len(parts) >= 2 and len(parts[-1].strip(".")) <= 3 and parts[-1].isupper():
            surname, given = " ".join(parts[:-1]), parts[-1]
        elif parts:
            surname, given = parts[-1], " ".join(parts[:-1])
        else:
            return ""
    initials = "".join(w[0] for w in re.split(r"[\s.\-]+", given.strip()) if w)
    return f"{_SPACE.sub(' ', surname).strip().lower()}|{initials[:1].lower()}"


def paper_rows(rid, year, authors, author_addresses, unlinked, corresponding, out, report,
               role="author"):
    """Append the rows of one paper to ``out`` (a dict of lists).

    Parameters
    ----------
    rid : str
        Record id.
    year : int
        Publication year (-1 unknown).
    authors : list of (actor id, name key)
        Authors in byline order.
    author_addresses : list of list of str
        Printed addresses of each author (aligned with ``authors``).
    unlinked : list of str
        Addresses without author links (used only when no author has an address).
    corresponding : list of (name key or None, address or None)
        Corresponding / reprint authors.
    """
    n = len(authors)
    parsed = [[parse_address(a) for a in addrs] for addrs in author_addresses]
    linked = any(parsed)
    rows = []  # (actor, role, weight, country, admin1, city, org, author index)
    if linked or not unlinked:
        for i, ((actor, _key), addrs) in enumerate(zip(authors, parsed)):
            located = [a for a in addrs if a[0] is not None]
            if not located:
                report.drop("no country")
                report.unknown_share += 1.0 / n if n else 0.0
                continue
            countries = list(dict.fromkeys(a[0] for a in located))
            for c in countries:
                here = [a for a in located if a[0] == c]
                for a in here:
                    rows.append((actor, role, 1.0 / n / len(countries) / len(here), c, a[1],
                                 a[2], a[3], i))
        if unlinked and linked:
            report.note("addresses without author link ignored (record has linked ones)",
                        len(unlinked))
    else:
        addrs = [parse_address(a) for a in unlinked]
        k = len(addrs)
        report.note("records without author-address links (addresses as contributors)")
        for j, a in enumerate(addrs):
            if a[0] is None:
                report.drop("no country")
                report.unknown_share += 1.0 / k
                continue
            rows.append((f"{rid}#address{j + 1}", "address", 1.0 / k, a[0], a[1], a[2], a[3],
                         -1))
    if not rows:
        return 0
    # lead rows: corresponding authors (rows in the corresponding address's country)
    lead = [False] * len(rows)
    keys = {key: i for i, (_a, key) in enumerate(authors) if key}
    for key, addr in corresponding:
        c = parse_address(addr)[0] if addr else None
        idx = keys.get(key) if key else None
        if linked:
            cand = [j for j, r in enumerate(rows) if idx is not None and r[7] == idx]
        else:  # addresses without authors: the reprint address's rows
            cand = [j for j, r in enumerate(rows) if c is not None and r[3] == c]
        same = [j for j in cand if c is not None and rows[j][3] == c]
        for j in (same or cand):
            lead[j] = True
    if not any(lead):
        first = rows[0][7]
        for j, r in enumerate(rows):
            lead[j] = r[7] == first
        report.note("lead: first author (no corresponding author matched)")
    for j, r in enumerate(rows):
        out["record"].append(rid)
        out["actor"].append(r[0])
        out["role"].append(r[1])
        out["weight"].append(r[2])
        out["country"].append(r[3])
        out["admin1"].append(r[4])
        out["city"].append(r[5])
        out["org"].append(r[6])
        out["lead"].append(lead[j])
        out["year"].append(year)
    return len(rows)


def new_rows():
    return {k: [] for k in ("record", "actor", "role", "weight", "country", "admin1", "city",
                            "org", "lead", "year")}


def split_outside_brackets(text, sep=";"):
    """Split on ``sep`` outside square brackets (WoS tab-delimited C1)."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return [x for x in out if x]
