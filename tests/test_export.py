import csv

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

from kg.export import FORMATS, export


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back(sample_build, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    n = export(sample_build / "store", fmt, out)
    assert n > 0
    if fmt in ("turtle", "ntriples", "nquads", "trig"):
        fmts = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
        assert len(list(ox.parse(path=str(out), format=fmts[fmt]))) == n
    elif fmt == "jsonld":
        assert len(rdflib.Graph().parse(str(out), format="json-ld")) == n
    elif fmt == "csv":
        with open(out, encoding="utf-8") as f:
            assert sum(1 for _ in csv.reader(f)) == n + 1
    else:
        g = nx.read_graphml(str(out))
        assert g.number_of_nodes() > 50 and g.number_of_edges() > 10
