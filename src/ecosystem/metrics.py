"""Region indicators from RegionFlows: volumes, openness, directionality, reciprocity."""

import numpy as np

from ._validation import check_option
from .exceptions import InputTypeError, ParameterError
from .flows import LAYERS

__all__ = ["region_metrics"]

_EXCHANGE_LAYERS = ("international", "domestic", "cross-boundary", "external")


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def region_metrics(flows, *, layer="international", size=None):
    r"""Flow indicators per region and channel.

    For region r with outbound flows :math:`o_{rj}` and inbound flows :math:`i_{rj}`
    to and from the partner regions j of the chosen layer:

    * volumes :math:`V_{out} = \sum_j o_{rj}`, :math:`V_{in} = \sum_j i_{rj}`,
      co-presence :math:`V_{co}`, internal :math:`I`;
    * openness :math:`O = (V_{in} + V_{out} + V_{co}) / (I + V_{in} + V_{out} + V_{co})`
      and E-I :math:`= 2O - 1`;
    * directionality :math:`D = (V_{out} - V_{in}) / (V_{out} + V_{in})` (positive =
      outbound) and balance :math:`B = 1 - |D|`;
    * partner reciprocity
      :math:`R = \sum_j 2\min(o_{rj}, i_{rj}) / \sum_j (o_{rj} + i_{rj})` (:math:`R \le B`);
    * intensities :math:`v_{in} = V_{in}/S`, :math:`v_{out} = V_{out}/S` and circulation
      :math:`C = (V_{in} + V_{out} + V_{co})/S` when a size S is known.

    Parameters
    ----------
    flows : RegionFlows
    layer : {"international", "domestic", "cross-boundary", "external"}
        Which region pairs count as exchange (``"external"``: every other region).
    size : dict or pandas.Series, optional
        Region size (researchers, papers, ...) by region label; default: the flows'
        own ``size`` (records touching the region), if known. Without a size the
        intensities are NaN and ``size_source`` says so.

    Returns
    -------
    pandas.DataFrame
        One row per region and channel: region, channel, layer, size, size_source,
        internal, inbound, outbound, copresence, partners_in, partners_out, openness,
        ei, D, B, R, v_in, v_out, circulation. Undefined ratios (no flows) are NaN.

    References
    ----------
    .. [1] Krackhardt, D. & Stern, R. N. (1988). Informal networks and organizational
       crises. Social Psychology Quarterly 51(2), 123–140. doi:10.2307/2786835
    .. [2] Grubel, H. G. & Lloyd, P. J. (1975). Intra-Industry Trade. Macmillan.
    .. [3] Bell, M., Blake, M., Boyle, P., et al. (2002). Cross-national comparison of
       internal migration. Journal of the Royal Statistical Society A 165(3), 435–464.
       doi:10.1111/1467-985X.t01-1-00247
    """
    func = "region_metrics"
    if not hasattr(flows, "presence") or not hasattr(flows, "layers"):
        raise InputTypeError(f"{func}: flows must be a RegionFlows object; got {type(flows).__name__}")
    check_option(func, "layer", layer, _EXCHANGE_LAYERS)
    table = flows.volumes(layer)
    mask = flows.layers != 0 if layer == "external" else flows.layers == LAYERS.index(layer)
    recip = []
    for k in range(len(flows.channels)):
        p = np.where(mask, flows.presence[k], 0.0)
        recip.append(_ratio((2 * np.minimum(p, p.T)).sum(axis=1), (p + p.T).sum(axis=1)))
    table["R"] = np.concatenate(recip)

    if size is not None:
        try:
            lookup = dict(size.items()) if hasattr(size, "items") else None
        except TypeError:
            lookup = None
        if lookup is None:
            raise InputTypeError(f"{func}: size must be a dict or Series by region; got {type(size).__name__}")
        table["size"] = [float(lookup.get(r, np.nan)) for r in table["region"]]
        table["size_source"] = "given"
        if table["size"].isna().all():
            raise ParameterError(f"{func}: size has no entry for any region (e.g. {table['region'].iloc[0]!r})")
    else:
        table["size_source"] = "records" if flows.size is not None else "unknown"

    vin, vout, vco, internal = (table[c].to_numpy() for c in ("inbound", "outbound", "copresence", "internal"))
    external = vin + vout + vco
    table["openness"] = _ratio(external, internal + external)
    table["ei"] = 2 * table["openness"] - 1
    table["D"] = _ratio(vout - vin, vout + vin)
    table["B"] = 1 - np.abs(table["D"])
    s = table["size"].to_numpy(dtype=float)
    table["v_in"] = _ratio(vin, s)
    table["v_out"] = _ratio(vout, s)
    table["circulation"] = _ratio(external, s)
    table.attrs.update({"layer": layer, "counting": flows.counting,
                        "convention": flows.info.get("convention")})
    return table
