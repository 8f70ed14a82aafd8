"""The Python API as a notebook uses it: kg.build, kg.open(...).query/.to_dataframe, kg.extract."""
import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from conftest import TINY, kg as cli
from kg.errors import InputError, KgError, QueryError, StoreError

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("api") / "out"
    report = kg.build(TINY, out, jobs=1)
    return out, report


def test_build_returns_the_report_and_writes_the_store(built):
    out, report = built
    assert report.documents == 1 and (out / "store").is_dir() and (out / "graph.ttl").is_file()
    assert any(line.startswith("documents   1") for line in report.lines())


@pytest.mark.parametrize("where", ["out", "out/store"])
def test_open_takes_the_output_or_the_store_folder(built, where):
    out, _ = built
    g = kg.open(out if where == "out" else out / "store")
    assert g.location == str(out / "store")


SPARQL_CASES = [
    ("SELECT ?name WHERE { ?x a kg:Program ; skos:prefLabel ?name } ORDER BY ?name", {}),
    ("statistics", {}),
    ("entity", {"entity": "西湖区委统战部"}),
    ("SELECT ?n WHERE { VALUES ?n { $who@zh } }", {"who": "西湖区委统战部"}),
]


@pytest.mark.parametrize("sparql,params", SPARQL_CASES)
def test_query_rows_are_the_cli_rows(built, sparql, params):
    out, _ = built
    rows = kg.open(out).query(sparql, **params)
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    want = json.loads(cli("query", sparql, *args, "--store", out / "store", "--format", "json").stdout)
    assert rows and len(rows) == len(want)
    assert [list(r) for r in rows] == [rows.variables] * len(rows) == [list(w) for w in want]
    for r, w in zip(rows, want):
        assert {k: "" if v is None else str(v).lower() if isinstance(v, bool) else
                str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for k, v in r.items()} == \
            {k: v for k, v in w.items()}


def test_values_are_python_values(built):
    out, _ = built
    rows = kg.open(out).query("statistics")
    assert all(isinstance(r["value"], (int, float)) and isinstance(r["approximate"], bool)
               and isinstance(r["start"], int) and isinstance(r["sentence"], str) for r in rows)
    assert kg.open(out).query("ASK { ?s a kg:Metric }") == [{"result": True}]


def test_to_dataframe(built):
    pd = pytest.importorskip("pandas")
    out, _ = built
    g = kg.open(out)
    df = g.to_dataframe("statistics")
    rows = g.query("statistics")
    assert isinstance(df, pd.DataFrame) and list(df.columns) == rows.variables and len(df) == len(rows)
    assert df["value"].dtype.kind in "if" and df.loc[0, "sentence"] == rows[0]["sentence"]


def test_to_dataframe_without_pandas_says_what_to_install(built):
    """pandas made unimportable in a fresh interpreter (a None in sys.modules is how
    Python marks a module that cannot be imported)."""
    out, _ = built
    code = ("import sys; sys.modules['pandas'] = None\n"
            "import kg\nfrom kg.errors import KgError\n"
            f"g = kg.open({str(out)!r})\n"
            "try:\n    g.to_dataframe('statistics')\n"
            "except KgError as e:\n    print(type(e).__name__, isinstance(e, ImportError), e)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.startswith("MissingDependencyError True ") and "pip install pandas" in p.stdout


@pytest.mark.parametrize("call,error,message", [
    (lambda out: kg.open(out.parent / "nowhere"), StoreError, "no store at"),
    (lambda out: kg.open(out).query("SELECT ?x WHERE {"), QueryError, "malformed SPARQL"),
    (lambda out: kg.open(out).query("SELECT * WHERE { ?s a zz:T }"), QueryError, "unknown prefix zz:"),
    (lambda out: kg.open(out).query("DROP ALL"), QueryError, "updates are not allowed"),
    (lambda out: kg.open(out).query("entity"), QueryError, "missing entity"),
    (lambda out: kg.extract(b"bytes"), InputError, "takes the text as a str"),
    (lambda out: kg.extract("   "), InputError, "empty document"),
])
def test_errors_are_typed_and_say_why(built, call, error, message):
    out, _ = built
    with pytest.raises(error) as e:
        call(out)
    assert isinstance(e.value, KgError) and message in str(e.value) and "\n" not in str(e.value)


def test_extract_returns_the_dataclasses_kg_extract_prints():
    text = TINY.read_text(encoding="utf-8")
    x = kg.extract(text)
    assert dataclasses.is_dataclass(x) and x.entities and x.relations and x.metrics
    assert all(dataclasses.is_dataclass(v) for v in (*x.entities, *x.relations, *x.metrics, *x.mentions))
    rec = json.loads(cli("extract", TINY).stdout)
    assert {(e.name, e.cls) for e in x.entities} == {(e["name"], e["class"]) for e in rec["entities"]}
    assert {(r.subject.name, r.predicate, r.object.name) for r in x.relations} == \
        {(r["subject"], r["property"], r["object"]) for r in rec["relations"]}


def test_kg_extract_stays_the_function_when_the_stage_is_imported():
    import kg.extract.names  # noqa: F401 - the subpackage's import sets kg.extract
    from kg.extract import run
    assert callable(kg.extract) and kg.extract.__name__ == "_extract" and run.__module__ == "kg.extract"


def test_import_kg_stays_light():
    code = ("import sys, kg\nprint(' '.join(sorted(m for m in sys.modules if m.startswith(('kg', 'pyoxigraph', "
            "'jieba', 'rdflib', 'pandas', 'networkx')))))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.split() == ["kg", "kg.errors"]


def test_the_readme_notebook_example_runs(tmp_path):
    """The README's Python block, run as written in a folder with reports/ in it."""
    from kg.pipeline import sample_corpus
    block = re.search(r"## From Python and notebooks.*?```python\n(.*?)```", README.read_text(encoding="utf-8"),
                      re.S).group(1)
    shutil.copytree(sample_corpus(), tmp_path / "reports")
    code = block + "\nprint('rows', len(rows), 'frame', len(df))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert re.search(r"rows [1-9]\d* frame [1-9]\d*", p.stdout), p.stdout
