"""ecosystem.export: region networks for Gephi, Pajek, VOSviewer, networkx and igraph."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import ecosystem as eco
from ecosystem.export import CLUSTERS, network_tables, to_igraph, write_network


@pytest.fixture(scope="module")
def flows():
    return eco.datasets.scholarly_migration(window=(2017, 2018))


@pytest.fixture(scope="module")
def classification(flows):
    return eco.classify(flows, bootstrap=10, n_null=9, seed=1)


def _small():
    # A -> B 3, B -> A 1, A -> C 2; D inactive; co-presence B - C 5 on a second channel
    P = np.zeros((2, 4, 4))
    P[0, 0, 1], P[0, 1, 0], P[0, 0, 2] = 3, 1, 2
    C = np.zeros((2, 4, 4))
    C[1, 1, 2] = C[1, 2, 1] = 5
    return eco.RegionFlows(regions=("US", "JP", "CN", "FR"), countries=("US", "JP", "CN", "FR"),
                           parents=(None,) * 4, channels=("talent", "academic"), presence=P,
                           copresence=C, internal=np.zeros((2, 4)), size=None, counting="given")


def test_public_module_and_cli_only_parses():
    import ecosystem.cli as cli

    assert "export" in eco.__all__ and eco.export.write_network is write_network
    assert not hasattr(cli, "_network") and cli.write_network is write_network


def test_network_tables_brute_force():
    f = _small()
    nodes, edges = network_tables(f, channel="talent")
    assert nodes.region.tolist() == ["US", "JP", "CN"]  # FR has no activity
    assert nodes.name.tolist() == ["United States", "Japan", "China"]
    n = nodes.set_index("region")
    assert (n.loc["US", "outbound"], n.loc["US", "inbound"], n.loc["JP", "inbound"]) == (5, 1, 3)
    got = sorted(zip(edges.source, edges.target, edges.weight, edges.directed))
    assert got == [("JP", "US", 1.0, True), ("US", "CN", 2.0, True), ("US", "JP", 3.0, True)]
    nodes, edges = network_tables(f, channel="academic")
    assert edges[["source", "target", "weight"]].values.tolist() == [["JP", "CN", 5.0]]
    assert not edges.directed.any()


def test_vosviewer_map_and_network_files(tmp_path):
    f = _small()
    cl = pd.DataFrame({"region": ["US", "JP", "CN"], "channel": "talent", "label": ["hub", "local",
                       "insufficient"], "stability": [0.9, 0.5, np.nan]})
    n = write_network(f, tmp_path / "net_map.txt", to="vosviewer", channel="talent",
                      classification=cl, coordinates={"US": (38.0, -97.0), "JP": (36.0, 138.0),
                                                      "CN": (35.0, 103.0)})
    assert n == (3, 2)  # US-JP both directions summed into one undirected link
    m = pd.read_csv(tmp_path / "net_map.txt", sep="\t")
    assert list(m.columns[:5]) == ["id", "label", "x", "y", "cluster"]
    assert {"weight<Inbound>", "weight<Outbound>", "score<stability>"} <= set(m.columns)
    assert m.label.tolist() == ["United States", "Japan", "China"]
    assert m.cluster.tolist() == [CLUSTERS["hub"], CLUSTERS["local"], CLUSTERS["insufficient"]]
    assert m.loc[0, "x"] == -97.0 and m.loc[1, "y"] == 36.0
    net = pd.read_csv(tmp_path / "net_network.txt", sep="\t", header=None)
    assert sorted(map(tuple, net.values.tolist())) == [(1, 2, 4), (1, 3, 2)]


def test_vosviewer_json_named_clusters_and_coordinates(tmp_path, flows, classification):
    coords = pd.DataFrame({"latitude": 10.0, "longitude": 20.0}, index=list(flows.regions))
    write_network(flows, tmp_path / "n.json", to="vosviewer-json", classification=classification,
                  coordinates=coords)
    doc = json.loads((tmp_path / "n.json").read_text())
    assert {c["label"] for c in doc["info"]["clusters"]} <= set(CLUSTERS)
    items = {i["label"]: i for i in doc["network"]["items"]}
    assert items["Japan"]["x"] == 20.0 and items["Japan"]["y"] == 10.0
    assert "region JPN" in items["Japan"]["description"]
    assert "config" in doc


def test_graphml_gexf_names_label_coordinates(tmp_path, flows, classification):
    nx = pytest.importorskip("networkx")
    coords = {"JPN": (36.2, 138.25)}
    for to in ("graphml", "gexf"):
        write_network(flows, tmp_path / f"n.{to}", to=to, classification=classification,
                      coordinates=coords)
    t = classification.table.set_index("region")
    g = nx.read_graphml(tmp_path / "n.graphml")
    jp = g.nodes["JPN"]
    assert jp["name"] == "Japan" and jp["label"] == t.loc["JPN", "label"]
    assert jp["latitude"] == 36.2 and jp["D_lo"] == pytest.approx(t.loc["JPN", "D_lo"])
    assert "latitude" not in g.nodes["USA"]  # unknown coordinates are left out
    assert isinstance(jp["review"], bool)
    h = nx.read_gexf(tmp_path / "n.gexf")
    assert h.nodes["JPN"]["label"] == "Japan" and h.nodes["JPN"]["typology"] == t.loc["JPN", "label"]
    root = ET.parse(tmp_path / "n.gexf").getroot()
    assert root.tag.endswith("gexf")


def test_to_networkx_and_igraph_agree(flows):
    nx = pytest.importorskip("networkx")
    g = flows.to_networkx()
    h = flows.to_igraph()
    assert g.is_directed() and h.is_directed()
    assert g.number_of_nodes() == h.vcount() and g.number_of_edges() == h.ecount()
    P = flows.matrix("presence")
    np.fill_diagonal(P, 0)
    assert g.number_of_edges() == int((P > 0).sum())
    i, j = flows.regions.index("USA"), flows.regions.index("GBR")
    assert g["USA"]["GBR"]["weight"] == P[i, j]
    e = h.es[h.get_eid(h.vs.find(name="USA").index, h.vs.find(name="GBR").index)]
    assert e["weight"] == P[i, j]
    assert h.vs.find(name="USA")["full_name"] == "United States"
    assert nx.is_directed(g)


def test_undirected_channel_and_errors():
    f = _small()
    g = to_igraph(f, channel="academic")
    assert not g.is_directed() and g.ecount() == 1
    with pytest.raises(eco.ParameterError, match="to must be one of"):
        write_network(f, "x", to="dot")
    with pytest.raises(eco.ParameterError, match="channel 'x' not in the flows"):
        network_tables(f, channel="x")
