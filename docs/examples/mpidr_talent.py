"""Classify countries by their scholar migration flows, 2014–2018 (talent channel).

    python docs/examples/mpidr_talent.py            # prints the table (markdown)
    python docs/examples/mpidr_talent.py --all      # every country, not only the sufficient ones

Data: MPIDR Scholarly Migration Database, Scopus 2024 V1 (Akbaritabar, Theile & Zagheni
2024, doi:10.1038/s41597-024-03655-9, CC BY 4.0), bundled with ecosystem:

* flows: ``ecosystem.datasets.scholarly_migration(window=(2014, 2018))``, origin -> destination
  counts of scholars whose main affiliation country changed (the presence direction of
  talent: outbound = emigration, inbound = immigration);
* size S: mean padded researcher population per year over the window
  (``scholarly_migration_countries``);
* internal volume I (the table has no within-country rows): researcher-years that did not
  emigrate, ``5 * researchers - outmigrations``, so that openness
  O = (in + out) / (I + in + out) is a gross migration rate.

Every threshold is the library default; nothing here is tuned to make any country come out
a particular way. Countries are their own "regions" and own groups, so the brokerage
conditions lapse (gatekeeper / representative are undefined with one region per country),
and the direction is decided on the bootstrap interval of D (parametric Poisson bootstrap
of the flow cells).
"""

import argparse

import ecosystem as eco
from ecosystem.classification import classify

WINDOW = (2014, 2018)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--all", action="store_true", help="print insufficient countries too")
    p.add_argument("--bootstrap", type=int, default=1000)
    args = p.parse_args(argv)

    flows = eco.datasets.scholarly_migration(window=WINDOW)
    countries = eco.datasets.scholarly_migration_countries(window=WINDOW).set_index("country")
    years = WINDOW[1] - WINDOW[0] + 1
    size = countries["researchers"]
    internal = (years * countries["researchers"] - countries["outmigrations"]).clip(lower=0)
    res = classify(flows, size=size, internal=internal, bootstrap=args.bootstrap,
                   n_null=args.bootstrap - 1, seed=0)
    t = res.table.merge(countries[["name"]], left_on="region", right_index=True, how="left")
    t = t.sort_values("size", ascending=False)
    if not args.all:
        t = t[t.label != "insufficient"]

    print(f"MPIDR scholar migration, talent channel, {WINDOW[0]}-{WINDOW[1]}, layer international, "
          f"B = {args.bootstrap}, seed 0, library defaults\n")
    print("| country | researchers | in | out | D [95% CI] | R | R null | p_R | z_in | z_out | z_O | "
          "label | why (undetermined) | stability |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for _, r in t.iterrows():
        print(f"| {r.region} {r['name'] if isinstance(r['name'], str) else ''} | {r['size']:,.0f} | "
              f"{r.inbound:,.0f} | {r.outbound:,.0f} | {r.D:+.2f} [{r.D_lo:+.2f}, {r.D_hi:+.2f}] | "
              f"{r.R:.2f} | {r.R_null:.2f} | {r.p_R:.3f} | {r.z_in:+.2f} | {r.z_out:+.2f} | "
              f"{r.z_openness:+.2f} | {r.label} | {r.subtype} | {r.stability:.2f} |")
    all_t = res.table
    print("\nlabels over all", len(all_t), "countries:", ", ".join(res.label_counts()["text"]))
    print("undetermined by sub-type:",
          ", ".join(f"{k} {v}" for k, v in all_t[all_t.label == "undetermined"].subtype.value_counts().items()))
    print("\nsize model:", res.params["size_model"])
    print("multiple testing:", res.params["multiple_testing"])
    print("not computed:", res.params["not_computed"] or "nothing")
    print("brokerage:", res.params["brokerage_status"])
    for code in ("USA", "CHN", "JPN", "DEU", "GBR", "FRA", "IND", "CHE"):
        print()
        print(res.explain(code))
    return res


if __name__ == "__main__":
    main()
