"""Citable reports of a classification: tables, plots, methods paragraph, sources.

:func:`write_report` writes ``report.md`` and ``report.html`` (self-contained apart from
the plot files it links to, by relative path). :func:`methods_text` generates the
methods paragraph from a classification's parameters, ready to paste into a paper.
"""

import html
import math
from pathlib import Path

from ._version import __version__

__all__ = ["methods_text", "references", "write_report", "REFERENCES", "active", "label_counts",
           "headline", "why_undetermined", "display_labels"]

#: Methods references (key → citation with DOI) used by :func:`methods_text`.
REFERENCES = {
    "bathelt": "Bathelt, H., Malmberg, A. & Maskell, P. (2004). Clusters and knowledge: local "
               "buzz, global pipelines and the process of knowledge creation. Progress in Human "
               "Geography 28(1), 31–56. doi:10.1191/0309132504ph469oa",
    "gould": "Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach "
             "to brokerage in transaction networks. Sociological Methodology 19, 89–126. "
             "doi:10.2307/270949",
    "squartini": "Squartini, T., Picciolo, F., Ruzzenenti, F. & Garlaschelli, D. (2013). "
                 "Reciprocity of weighted networks. Scientific Reports 3, 2729. "
                 "doi:10.1038/srep02729",
    "bell": "Bell, M., Blake, M., Boyle, P., et al. (2002). Cross-national comparison of "
            "internal migration: issues and measures. Journal of the Royal Statistical Society "
            "A 165(3), 435–464. doi:10.1111/1467-985X.t01-1-00247",
    "efron": "Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & "
             "Hall/CRC. doi:10.1201/9780429246593",
    "maslov": "Maslov, S. & Sneppen, K. (2002). Specificity and stability in topology of protein "
              "networks. Science 296(5569), 910–913. doi:10.1126/science.1065103",
    "serrano": "Serrano, M. Á., Boguñá, M. & Vespignani, A. (2009). Extracting the multiscale "
               "backbone of complex weighted networks. PNAS 106(16), 6483–6488. "
               "doi:10.1073/pnas.0808904106",
    "bh": "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical "
          "and powerful approach to multiple testing. Journal of the Royal Statistical Society B "
          "57(1), 289–300. doi:10.1111/j.2517-6161.1995.tb02031.x",
    "perianes": "Perianes-Rodriguez, A., Waltman, L. & van Eck, N. J. (2016). Constructing "
                "bibliometric networks: a comparison between full and fractional counting. "
                "Journal of Informetrics 10(4), 1178–1195. doi:10.1016/j.joi.2016.10.006",
    "waltman": "Waltman, L., Calero-Medina, C., Kosten, J., et al. (2012). The Leiden Ranking "
               "2011/2012: data collection, indicators, and interpretation. JASIST 63(12), "
               "2419–2432. doi:10.1002/asi.22708",
    "fontagne": "Fontagné, L. & Freudenberg, M. (1997). Intra-industry trade: methodological "
                "issues reconsidered. CEPII Working Paper 1997-01.",
}


def _fmt(x, nd=3):
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{nd}f}"
    return str(x)


def _g(x):
    return "" if x is None else f"{x:g}" if isinstance(x, (int, float)) else str(x)


def references(params):
    """The references a classification's methods rely on.

    Parameters
    ----------
    params : mapping
        ``Classification.params``.

    Returns
    -------
    list of str
        Citations with DOIs, in the order the methods paragraph uses them.

    Examples
    --------
    >>> from ecosystem.report import references
    >>> references({"counting": "fractional", "adjust": None})[0].startswith("Perianes")
    True
    """
    keys = ["bell", "squartini", "bathelt", "gould", "fontagne", "efron", "maslov", "serrano"]
    if params.get("counting") == "fractional":  # order of first citation in methods_text
        keys[:0] = ["perianes", "waltman"]
    if params.get("adjust") == "bh":
        keys.append("bh")
    return [REFERENCES[k] for k in keys]


def methods_text(params, *, n_regions=None, data_sentence=None):
    """A methods paragraph describing how a classification was made.

    Parameters
    ----------
    params : mapping
        ``Classification.params`` (thresholds, counting, window, bootstrap, nulls,
        versions).
    n_regions : int, optional
        Number of regions classified, stated if given.
    data_sentence : str, optional
        A sentence describing the data, inserted after the first sentence.

    Returns
    -------
    str
        Plain text with bracketed reference numbers matching :func:`references`.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.classification import classify
    >>> res = classify(eco.datasets.scholarly_migration(window=(2016, 2018)), bootstrap=20,
    ...                n_null=19)
    >>> "bootstrap" in methods_text(res.params)
    True
    """
    p = dict(params)
    thr = p.get("thresholds", {})
    refs = references(p)
    num = {text.split(",")[0].split(" ")[0].rstrip(","): i + 1 for i, text in enumerate(refs)}

    def cite(name):
        return f"[{num[name]}]" if name in num else ""

    v = p.get("versions", {})
    window = p.get("window")
    window_text = f"{window[0]}–{window[1]}" if window else "all years"
    channels = ", ".join(p.get("channels", []))
    counting = p.get("counting")
    if counting == "fractional":
        counting_text = (f"fractional counting (each record split equally over its contributors "
                         f"[{num['Perianes-Rodriguez']}, {num['Waltman']}])")
    elif counting == "full":
        counting_text = "full (whole) counting (each record counts once for every region it touches)"
    else:
        counting_text = "volumes as given in the input table"
    design = p.get("bootstrap_design") or {}
    kind = design.get("kind", "bootstrap") if isinstance(design, dict) else str(design)
    B = p.get("bootstrap", 0)
    parts = [
        f"Regions were classified with ecosystem {v.get('ecosystem', __version__)} (Python "
        f"{v.get('python', '')}, NumPy {v.get('numpy', '')}, SciPy {v.get('scipy', '')}) on the "
        f"{p.get('layer')} layer of the {channels} channel(s), window {window_text}"
        + (f", {n_regions} regions" if n_regions else "") + f", using {counting_text}."
    ]
    if data_sentence:
        parts.append(data_sentence.strip())
    parts.append(
        "Flows follow the presence convention (an arc r → j means that actors originating in, "
        "or controlled from, r are active in j). For every region we computed openness "
        "O = (in + out + co) / (internal + in + out + co), its size-adjusted form z_O (robust "
        "panel residual of logit O given log size), circulation C = (in + out + co) / size "
        f"{cite('Bell')}, directionality D = (out − in) / (out + in) and partner reciprocity R "
        f"(the share of exchanged volume matched partner by partner) {cite('Squartini')}.")
    parts.append(
        "Labels follow transparent rules applied in order: insufficient if the external volume "
        f"was below {_g(thr.get('min_external'))} or the 95 % CI of D wider than "
        f"{_g(thr.get('max_ci_width'))}; local if z_O ≤ {_g(thr.get('local_z'))} and C below "
        f"the panel's {_g(thr.get('local_quantile'))} quantile {cite('Bathelt')}; hub if "
        f"|D − D_ref| ≤ {_g(thr.get('d_threshold'))}, R ≥ {_g(thr.get('min_reciprocity'))} and "
        f"above its quasi-independence null (p < {_g(thr.get('alpha'))}), with inbound and "
        f"outbound volumes at least the panel's {_g(thr.get('volume_quantile'))} quantile "
        f"after the size model; "
        f"introduction (outbound) if D − D_ref < −{_g(thr.get('d_threshold'))} "
        f"(> +{_g(thr.get('d_threshold'))}) and significant (p < {_g(thr.get('alpha'))}), "
        f"with the gatekeeper (representative) brokerage role "
        f"{cite('Gould')} not significantly weaker than the other "
        f"(rule '{p.get('brokerage_rule')}'); otherwise undetermined. D_ref = "
        + ("0" if p.get("reference") == "fixed" else "the panel median of D")
        + f"; flows with |D| > {_g(thr.get('one_way'))} are flagged one-way "
        f"{cite('Fontagné')}.")
    for key, lead in (("size_model", "Size model"), ("direction_test", "Direction test"),
                      ("bias_correction", "Bootstrap bias"), ("multiple_testing", "Multiple testing")):
        if p.get(key):
            parts.append(f"{lead}: {str(p[key]).rstrip('.')}.")
    nulls = p.get("nulls", {})
    parts.append(
        f"Uncertainty: {B} replicates of a {kind} {cite('Efron')} (seed {p.get('seed')}) gave "
        "percentile 95 % confidence intervals and label stability (the share of replicates "
        f"with the point label; channels count towards a region's overall label at stability "
        f"≥ {_g(thr.get('stable'))}). Nulls: {nulls.get('direction', 'direction flips')}; "
        f"for R, {nulls.get('reciprocity', 'gravity redistribution')}; for brokerage, "
        f"{nulls.get('brokerage', 'degree-preserving rewiring')} {cite('Maslov')} on the "
        f"disparity-filter backbone (alpha = {p.get('backbone_alpha')}) {cite('Serrano')}"
        + (f"; p-values were adjusted by Benjamini–Hochberg {cite('Benjamini')}"
           if p.get("adjust") == "bh" else "")
        + f". Every rule threshold was moved by ±{_g(100 * float(p.get('sensitivity', 0)))} % "
        "in a sensitivity analysis.")
    status = p.get("brokerage_status") or {}
    lapsed = [ch for ch, s in status.items() if s and "undefined" in str(s)]
    if lapsed:
        parts.append(f"The brokerage conditions lapsed for {', '.join(lapsed)} "
                     f"({status[lapsed[0]]}).")
    nc = p.get("not_computed") or {}
    if nc:
        parts.append("Not computed: " + "; ".join(f"{k} ({v})" for k, v in nc.items()) + ".")
    return " ".join(parts)


def active(table):
    """Which rows of a classification table belong to regions with any activity.

    Parameters
    ----------
    table : pandas.DataFrame
        ``Classification.table`` (or a part of it).

    Returns
    -------
    pandas.Series of bool
        True where the region has records, external volume or internal volume.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecosystem.report import active
    >>> active(pd.DataFrame({"n_records": [0, 3], "n_external": [0, 0], "internal": [0, 0]})).tolist()
    [False, True]
    """
    out = None
    for col in ("n_records", "n_external", "internal"):
        if col in table.columns:
            part = table[col].fillna(0) > 0
            out = part if out is None else out | part
    if out is None:
        import pandas as pd

        return pd.Series(True, index=table.index)
    return out


def _stable_threshold(classification):
    return float(dict(classification.params.get("thresholds", {})).get("stable", 0.8))


def _is_stable(table, stable):
    s = table["stability"] if "stability" in table.columns else None
    if s is None or s.isna().all():
        return None
    return s.fillna(0) >= stable


def display_labels(classification, table=None):
    """Mark labels below the ``stable`` threshold with ``?``, as they are shown.

    Parameters
    ----------
    classification : Classification
        The classification (its ``params`` give the ``stable`` threshold).
    table : pandas.DataFrame, optional
        Rows to label (default: ``classification.table``).

    Returns
    -------
    pandas.Series of str
        ``"hub"`` for a stable hub, ``"hub?"`` for a hub found in fewer than ``stable``
        of the bootstrap replicates; labels are unmarked when no bootstrap was run, and
        ``insufficient`` is never marked.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.report import display_labels
    >>> res = eco.classify(eco.datasets.scholarly_migration(window=(2017, 2018)), bootstrap=20,
    ...                    n_null=19, seed=0)
    >>> set(display_labels(res)) <= {"hub", "hub?", "introduction", "introduction?", "outbound",
    ...     "outbound?", "local", "local?", "undetermined", "undetermined?", "insufficient"}
    True
    """
    t = classification.table if table is None else table
    stable = _is_stable(t, _stable_threshold(classification))
    labels = t["label"].astype(str)
    if stable is None:
        return labels
    mark = ~stable & (labels != "insufficient")
    return labels.where(~mark, labels + "?")


def label_counts(classification, *, active_only=True):
    """Count the rows per label and how many of them are stable.

    Parameters
    ----------
    classification : Classification
        The classification.
    active_only : bool, default True
        Count only regions with any activity (see :func:`active`).

    Returns
    -------
    pandas.DataFrame
        Columns ``label``, ``rows`` and ``stable`` (rows with stability >= the
        ``stable`` threshold; missing when no bootstrap was run), largest first.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.report import label_counts
    >>> res = eco.classify(eco.datasets.scholarly_migration(window=(2017, 2018)), bootstrap=20,
    ...                    n_null=19, seed=0)
    >>> list(label_counts(res).columns)
    ['label', 'rows', 'stable']
    """
    import pandas as pd

    t = classification.table
    if active_only:
        t = t[active(t)]
    stable = _is_stable(t, _stable_threshold(classification))
    frame = pd.DataFrame({"label": t["label"].astype(str),
                          "stable": stable if stable is not None else pd.NA})
    out = frame.groupby("label", sort=False).agg(rows=("label", "size"),
                                                  stable=("stable", "sum")).reset_index()
    if stable is None:
        out["stable"] = pd.NA
    out = out.sort_values(["rows", "label"], ascending=[False, True], ignore_index=True)
    return out[["label", "rows", "stable"]]


def headline(classification, *, active_only=True):
    """The label counts in one line, with the stable share of each label.

    Parameters
    ----------
    classification : Classification
        The classification.
    active_only : bool, default True
        Count only regions with any activity.

    Returns
    -------
    str
        For example ``"undetermined 107 (98 stable), hub 44 (6 stable), ..."``; without
        the bootstrap only the counts.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.report import headline
    >>> res = eco.classify(eco.datasets.scholarly_migration(window=(2017, 2018)), bootstrap=20,
    ...                    n_null=19, seed=0)
    >>> "stable)" in headline(res)
    True
    """
    counts = label_counts(classification, active_only=active_only)
    parts = []
    for label, rows, stable in counts.itertuples(index=False):
        if label == "insufficient" or stable is None or stable != stable or \
                str(stable) == "<NA>":
            parts.append(f"{label} {rows}")
        else:
            parts.append(f"{label} {rows} ({int(stable)} stable)")
    return ", ".join(parts)


def why_undetermined(classification):
    """One sentence on why the largest undetermined region got no type.

    Parameters
    ----------
    classification : Classification
        The classification.

    Returns
    -------
    str or None
        ``"<region>, the largest undetermined region by external volume (<channel>):
        <reason>"``, from the table's ``reason`` column; None when no active region is
        undetermined.

    Examples
    --------
    >>> import ecosystem as eco
    >>> from ecosystem.report import why_undetermined
    >>> res = eco.classify(eco.datasets.scholarly_migration(window=(2017, 2018)), bootstrap=20,
    ...                    n_null=19, seed=0)
    >>> why_undetermined(res) is None or "undetermined" in why_undetermined(res)
    True
    """
    t = classification.table
    t = t[active(t) & t["label"].astype(str).str.startswith("undetermined")]
    if t.empty:
        return None
    row = t.sort_values("n_external", ascending=False).iloc[0]
    reason = " ".join(str(row.get("reason", "")).split()).rstrip(".")
    return (f"Why a large region is undetermined: {row['region']}, the largest undetermined "
            f"region by external volume ({row['channel']} channel), meets no rule: {reason}.")


def _md_table(frame, nd=3):
    cols = list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(x, nd).replace("|", "/") for x in row) + " |")
    return "\n".join(lines)


def _html_table(frame, nd=3):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(x, nd))}</td>" for x in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
line-height:1.45;color:#222}table.data{border-collapse:collapse;font-size:.85em;margin:1em 0}
table.data th,table.data td{border:1px solid #ccc;padding:2px 6px;text-align:right}
table.data th{background:#f2f2f2}table.data td:first-child,table.data th:first-child{text-align:left}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em}img{max-width:100%}
.methods{background:#fafafa;border-left:3px solid #0072B2;padding:.4em 1em}"""


def write_report(out, *, title, sections, methods=None, refs=None, sources=(), read_report=None,
                 figures=(), stem="report"):
    """Write ``report.md`` and ``report.html``.

    Parameters
    ----------
    out : str or path
        Output folder.
    title : str
        Report title.
    sections : sequence of (str, str or pandas.DataFrame)
        Headed blocks: a DataFrame becomes a table, a string a paragraph.
    methods : str, optional
        Methods paragraph (see :func:`methods_text`).
    refs : sequence of str, optional
        Numbered references.
    sources : sequence of mapping
        Data sources with ``source``, ``licence`` and ``citation`` keys.
    read_report : str, optional
        The readers' report (printed verbatim).
    figures : sequence of (str, str)
        Caption and path (relative to ``out``) of PNG figures to show.
    stem : str, default "report"
        File name without extension.

    Returns
    -------
    tuple of pathlib.Path
        The Markdown and HTML files.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from ecosystem.report import write_report
    >>> with tempfile.TemporaryDirectory() as d:
    ...     md, html = write_report(d, title="Run", sections=[("Table", pd.DataFrame({"a": [1]}))])
    ...     "<table" in html.read_text()
    True
    """
    import pandas as pd

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md = [f"# {title}", "", f"Generated by ecosystem {__version__}.", ""]
    ht = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
          f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
          f"<p>Generated by ecosystem {__version__}.</p>"]
    for heading, body in sections:
        md += [f"## {heading}", ""]
        ht.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(body, pd.DataFrame):
            md += [_md_table(body), ""]
            ht.append(_html_table(body))
        else:
            md += [str(body), ""]
            ht.append(f"<p style='white-space:pre-wrap'>{html.escape(str(body))}</p>")
    if figures:
        md += ["## Figures", ""]
        ht.append("<h2>Figures</h2>")
        for caption, path in figures:
            md += [f"![{caption}]({path})", "", f"*{caption}* (also as SVG and PDF)", ""]
            ht.append(f"<figure><img src='{html.escape(str(path))}' alt='{html.escape(caption)}'>"
                      f"<figcaption>{html.escape(caption)} (also as SVG and PDF)</figcaption>"
                      "</figure>")
    if methods:
        md += ["## Methods", "", methods, ""]
        ht.append(f"<h2>Methods</h2><div class='methods'><p>{html.escape(methods)}</p></div>")
    if refs:
        md += ["## References", ""] + [f"{i}. {r}" for i, r in enumerate(refs, 1)] + [""]
        ht.append("<h2>References</h2><ol>" + "".join(f"<li>{html.escape(r)}</li>" for r in refs)
                  + "</ol>")
    cite = ("Software: ecosystem " + __version__ + " — cite it as described in CITATION.cff "
            "(repository root) together with the methods and data sources above.")
    md += ["## Data sources and attribution", ""]
    ht.append("<h2>Data sources and attribution</h2><ul>")
    for s in sources:
        line = f"{s.get('source', '')} — licence: {s.get('licence', 'see source')}. {s.get('citation', '')}"
        md.append(f"- {line}")
        ht.append(f"<li>{html.escape(line)}</li>")
    md += [f"- {cite}", ""]
    ht.append(f"<li>{html.escape(cite)}</li></ul>")
    if read_report:
        md += ["## Read report", "", "```", str(read_report), "```", ""]
        ht.append(f"<h2>Read report</h2><pre>{html.escape(str(read_report))}</pre>")
    ht.append("</body></html>")
    md_path, html_path = out / f"{stem}.md", out / f"{stem}.html"
    md_path.write_text("\n".join(md), encoding="utf-8")
    html_path.write_text("\n".join(ht), encoding="utf-8")
    return md_path, html_path
