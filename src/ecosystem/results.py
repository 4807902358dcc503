"""The frozen result of :func:`ecosystem.classify`."""

import copy
import json
import math
from types import MappingProxyType

import numpy as np

from .exceptions import ParameterError

__all__ = ["Classification", "LABELS", "TYPES", "UNDETERMINED_SUBTYPES"]

#: Every label a (region, channel) can get, in code order.
LABELS = ("hub", "introduction", "outbound", "local", "undetermined", "insufficient")
#: The four types of the typology (labels that count towards a region's overall label).
TYPES = LABELS[:4]
#: Why a region is ``undetermined`` (column ``subtype`` of :attr:`Classification.table`):
#: no direction (co-presence only, not local); low intensity (balanced, but in- or
#: out-volume below the size model's panel quantile); balanced, not reciprocal (balanced,
#: volumes met, partner reciprocity below the threshold or not above its null); not
#: significant (beyond the balance band, but the bootstrap CI of D includes D_ref);
#: weakly directional (inside the balance band and not a hub, but with a significant lean:
#: the CI of D excludes D_ref and |D - D_ref| exceeds half the band);
#: role veto (directional, but the opposite brokerage role is stronger); unstable (the
#: rules give a type at the point estimate, ``rule_label``, but fewer than half of the
#: bootstrap replicates agree).
UNDETERMINED_SUBTYPES = ("no direction", "low intensity", "balanced, not reciprocal",
                         "not significant", "weakly directional", "role veto", "unstable")


def format_number(x, nd=3):
    """A number as the reasons and summaries write it.

    Parameters
    ----------
    x : float or None
        The number.
    nd : int, default 3
        Decimals at most (trailing zeros dropped); 0: an integer.

    Returns
    -------
    str
        ``"n/a"`` for None or a non-finite value; thousands without decimals and with
        separators; a nonzero value below 10**-nd in scientific notation (never "0").
    """
    if x is None:
        return "n/a"
    x = float(x)
    if not math.isfinite(x):
        return "n/a"
    if nd == 0:
        return f"{x:.0f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if 0 < abs(x) < 10 ** -nd:
        return f"{x:.1e}"
    text = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _jsonable(value):
    if isinstance(value, (MappingProxyType, dict)):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _records(frame):
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _match_region(table, region, func):
    """The table's region for ``region``: exact, case-insensitive, or its rest-of-country.

    Raises ParameterError naming close matches (difflib) and active regions otherwise.
    """
    import difflib

    known = [str(r) for r in dict.fromkeys(table["region"].tolist())]
    if region in set(table["region"]):
        return region
    text = str(region).strip()
    by_fold = {k.casefold(): k for k in known}
    for candidate in (text, f"{text}-rest"):
        if candidate.casefold() in by_fold:
            return by_fold[candidate.casefold()]
    volume = table.groupby("region")["n_external"].sum() if "n_external" in table.columns else None
    active = (list(volume[volume > 0].sort_values(ascending=False).index.astype(str))
              if volume is not None else known)
    close = difflib.get_close_matches(text.casefold(), list(by_fold), n=3, cutoff=0.6)
    close = [by_fold[c] for c in close]
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    raise ParameterError(f"{func}: region {region!r} is not in the table; {hint}"
                         f"regions with activity are e.g. {(active or known)[:8]}")


class Classification:
    """Labels per region and channel, overall labels, and everything needed to audit them.

    Returned by :func:`ecosystem.classify`. Immutable: attributes cannot be set, the
    tables are copied on access and ``params`` is a read-only mapping.

    Parameters
    ----------
    table : pandas.DataFrame
        Per (region, channel, layer, window) results (see Attributes).
    regions : pandas.DataFrame
        Per (region, window) overall labels.
    sensitivity : pandas.DataFrame
        Threshold sensitivity summary.
    params : dict
        Thresholds, options, versions and provenance.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per region, channel, layer and window with any activity (records,
        external or internal volume): ``label`` (one of :data:`LABELS`; a type whose
        bootstrap stability is below 0.5 is reported as ``undetermined``), ``subtype``
        (why a row is undetermined, one of :data:`UNDETERMINED_SUBTYPES`), ``rule_label``
        (the label the rules give at the point estimate), ``rule`` (the rule that
        fired), ``stability`` (share of bootstrap replicates with the rule label),
        ``stable`` (stability at least the ``stable`` threshold), ``boot_<label>``
        (replicate label shares), the
        prototype model's ``soft_<type>`` probabilities, ``soft_label``,
        ``soft_entropy`` and ``review`` flag, the indicators with percentile CIs
        (``D``, ``D_lo``, ``D_hi``, ``R``, ``openness``, ``v_in``, ``v_out``,
        ``circulation`` ...), null-based quantities (``p_D``, ``q_D``, ``R_null``,
        ``rho_R``, ``p_R``, ``q_R``, ``openness_null``, ``openness_star``,
        ``z_openness``), brokerage z-scores, ``n_records``, ``n_external``,
        threshold sensitivity (``n_sensitive``, ``sensitive_to``) and ``reason``.
    regions : pandas.DataFrame
        One row per region and window: ``overall`` (with one channel, that channel's
        label; otherwise a type shared by at least two channels with stability >= the
        ``stable`` threshold, else ``"mixed"``),
        ``profile`` (e.g. ``"T:hub/A:introduction/E:outbound"``), ``n_agree``.
    sensitivity : pandas.DataFrame
        One row per threshold and factor (x0.75, x1.25 by default): the perturbed value
        and how many (region, channel) labels change.
    params : mapping
        Every threshold, the layer, reference, counting, bootstrap design, seed, null
        sizes, library versions and the data provenance.
    """

    __slots__ = ("_table", "_regions", "_sensitivity", "_params")

    def __init__(self, table, regions, sensitivity, params):
        object.__setattr__(self, "_table", table.copy())
        object.__setattr__(self, "_regions", regions.copy())
        object.__setattr__(self, "_sensitivity", sensitivity.copy())
        object.__setattr__(self, "_params", MappingProxyType(copy.deepcopy(dict(params))))

    def __setattr__(self, name, value):
        raise AttributeError(f"Classification is immutable; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"Classification is immutable; cannot delete {name!r}")

    @property
    def table(self):
        """Per (region, channel) results (a copy)."""
        return self._table.copy()

    @property
    def regions(self):
        """Overall label per region (a copy)."""
        return self._regions.copy()

    @property
    def sensitivity(self):
        """Label changes when each threshold is moved by the sensitivity factor (a copy)."""
        return self._sensitivity.copy()

    @property
    def params(self):
        """Parameters, versions and provenance (read-only mapping)."""
        return self._params

    def labels(self):
        """Region x channel table of labels (first window if there are several).

        Returns
        -------
        pandas.DataFrame
            Index region, one column per channel, values from :data:`LABELS`.
        """
        t = self._table
        first = t["window"].iloc[0] if len(t) else None
        t = t[t["window"] == first]
        return t.pivot(index="region", columns="channel", values="label")

    def label_counts(self):
        """Number of (region, channel) rows per label, and how many of them are stable.

        Returns
        -------
        pandas.DataFrame
            Index ``label`` (in :data:`LABELS` order, labels present only); columns ``n``,
            ``n_stable`` (stability at least the ``stable`` threshold; NaN without a
            bootstrap) and ``text`` (e.g. ``"hub 45 (6 stable)"``), the form the
            headline prints.
        """
        import pandas as pd

        t = self._table
        stable = self._params.get("thresholds", {}).get("stable", 0.8)
        boot = bool(self._params.get("bootstrap"))
        rows = []
        for lab in LABELS:
            sub = t[t["label"] == lab] if len(t) else t
            if not len(sub):
                continue
            n_stable = int((sub["stability"].fillna(0) >= stable).sum()) if boot else np.nan
            text = f"{lab} {len(sub)}"
            if boot and lab in TYPES:
                text += f" ({n_stable} stable)"
            rows.append({"label": lab, "n": int(len(sub)), "n_stable": n_stable, "text": text})
        return pd.DataFrame(rows, columns=["label", "n", "n_stable", "text"]).set_index("label")

    def __repr__(self):
        t = self._table
        parts = ", ".join(self.label_counts()["text"]) if len(t) else ""
        overall = self._regions["overall"].value_counts().to_dict() if len(self._regions) else {}
        ov = ", ".join(f"{k} {v}" for k, v in sorted(overall.items()))
        return (f"<Classification: {t['region'].nunique() if len(t) else 0} regions x "
                f"{t['channel'].nunique() if len(t) else 0} channels, layer "
                f"{self._params.get('layer')!r}, B={self._params.get('bootstrap')}; labels: {parts}; "
                f"overall: {ov}>")

    def _repr_html_(self):
        """Notebook view: the label counts (with the stable share) and the largest rows."""
        import html

        from .report import active, display_labels, headline

        t = self._table
        live = t[active(t)] if len(t) else t
        cols = [c for c in ("region", "channel", "label", "stability", "review", "D", "D_lo",
                            "D_hi", "R", "openness", "z_openness", "n_external") if c in t.columns]
        top = live.assign(label=display_labels(self, live)).sort_values(
            "n_external", ascending=False)[cols].head(10) if len(live) else live[cols]
        stable = dict(self._params.get("thresholds", {})).get("stable", 0.8)
        return (f"<div><p><b>Classification</b>: {live['region'].nunique() if len(live) else 0} "
                f"active regions, layer {html.escape(str(self._params.get('layer')))}, "
                f"B = {self._params.get('bootstrap')}</p>"
                f"<p>Labels: {html.escape(headline(self) if len(t) else 'none')}</p>"
                + top.to_html(index=False, float_format=lambda x: f"{x:.3f}", na_rep="")
                + f"<p><small>Largest regions by external volume; '?' = label found in fewer "
                f"than {stable:.0%} of bootstrap replicates. Full table: <code>.table</code>; "
                "reasons: <code>.explain(region)</code>.</small></p></div>")

    def plot(self, **kwargs):
        """Draw the typology map of this classification.

        Parameters
        ----------
        **kwargs
            Passed to :func:`ecosystem.plot.typology_map` (``channel``, ``ax``, ...).

        Returns
        -------
        matplotlib.figure.Figure
            Directionality D on x, size-adjusted openness on y, bubbles sized by volume
            and coloured by label.
        """
        from .plot import typology_map

        return typology_map(self, **kwargs)

    def explain(self, region, *, channel=None, window=None):
        """Which rule fired for a region, and why, in words with the numbers.

        Parameters
        ----------
        region : label
            A region of the table.
        channel : str, optional
            Restrict to one channel (default: every channel).
        window : str, optional
            Window label (default: every window).

        Returns
        -------
        str
            One paragraph per channel (rule, numbers against thresholds, stability,
            prototype model, sensitivity) and the overall label.
        """
        t = self._table
        region = _match_region(t, region, "Classification.explain")
        rows = t[t["region"] == region]
        if channel is not None:
            if channel not in set(rows["channel"]):
                raise ParameterError(f"Classification.explain: channel {channel!r} not classified for "
                                     f"{region!r}; channels are {sorted(set(rows['channel']))}")
            rows = rows[rows["channel"] == channel]
        if window is not None:
            rows = rows[rows["window"] == window]
        lines = []
        for _, row in rows.iterrows():
            lines.append(f"{region} / {row['channel']} / {row['layer']} / {row['window']}: "
                         f"{row['label'].upper()} (rule {row['rule']}).")
            lines.append("  " + row["reason"])
            if isinstance(row["stability"], float) and math.isfinite(row["stability"]):
                lines.append(f"  Bootstrap: the same label in {row['stability']:.0%} of replicates "
                             f"({'stable' if row['stability'] >= self._params['thresholds']['stable'] else 'not stable'}).")
            else:
                lines.append("  Bootstrap: not run (bootstrap=0), stability unknown.")
            rule_label = row.get("rule_label", row["label"])
            soft = row["soft_label"]
            if isinstance(soft, str) and soft:
                if soft != rule_label and (rule_label in TYPES
                                           or f"not {soft}" in str(row["reason"]).lower()):
                    lines.append(f"  Prototype model: not shown, it disagrees with the rule label: it "
                                 f"favours {soft} against the rules' {rule_label}; the prototypes are "
                                 "fixed points in feature space, not fitted to this panel or its size "
                                 "model, so the rules decide (flagged for review).")
                else:
                    lines.append(f"  Prototype model: {soft} "
                                 f"(p = {row['soft_' + soft]:.2f}, normalised entropy "
                                 f"{row['soft_entropy']:.2f}){'; flagged for review' if row['review'] else ''}.")
            if row["n_sensitive"]:
                lines.append(f"  Threshold sensitivity: the label changes under {row['sensitive_to']}.")
            else:
                lines.append("  Threshold sensitivity: unchanged when any threshold moves by "
                             f"±{self._params['sensitivity']:.0%}.")
        reg = self._regions[self._regions["region"] == region]
        for _, r in reg.iterrows():
            lines.append(f"{region} overall ({r['window']}): {r['overall']} — profile {r['profile']} "
                         f"({r['n_agree']} stable channel(s) agree).")
        return "\n".join(lines)

    def to_dict(self):
        """Plain-Python form: ``params``, ``table``, ``regions``, ``sensitivity`` (NaN -> None).

        Returns
        -------
        dict
            JSON-ready nested dictionaries and lists.
        """
        return {
            "params": _jsonable(self._params),
            "table": _records(self._table),
            "regions": _records(self._regions),
            "sensitivity": _records(self._sensitivity),
        }

    def to_json(self, path=None, *, indent=None):
        """Serialise to JSON (strict: NaN written as null).

        Parameters
        ----------
        path : str or path-like, optional
            Also write the text to this file.
        indent : int, optional
            Indentation passed to :func:`json.dumps` (default: compact).

        Returns
        -------
        str
            The JSON text.
        """
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text
