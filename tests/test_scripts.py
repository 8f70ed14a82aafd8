"""Big5 beside GB18030, and traditional characters read through their simplified
form with offsets and sentence texts still the original's."""
import json

import pytest

import documents as D
from conftest import kg
from kg import ingest, script
from kg.model import RawDocument
from kg.normalize import normalize
from kg.pipeline import extract_document

HANS = "\n".join(D.REPORT) + "\n"
HANT = "\n".join(D.REPORT_HANT) + "\n"
HKSCS = "本港街坊會舉辦講座，嘅係睇下㗎。\n" + HANT   # 嘅 and 㗎 are in HKSCS, not in Big5


@pytest.mark.parametrize("text, encoding, detected", [
    (HANT, "big5", "big5"),
    (HANT, "cp950", "big5"),            # cp950 writes these characters as Big5 does
    (HKSCS, "big5hkscs", "big5hkscs"),
    (HANS, "gb18030", "gb18030"),
    (HANS, "gbk", "gb18030"),
    (HANT, "gb18030", "gb18030"),       # traditional characters in a mainland encoding
    (HANT, "utf-8", "utf-8"),
])
def test_big5_and_gb18030_are_told_apart(text, encoding, detected):
    got, enc, replaced = ingest.decode(text.encode(encoding))
    assert (got, enc, replaced) == (text, detected, 0)


def _extract(tmp_path, name, data: bytes):
    f = tmp_path / name
    f.write_bytes(data)
    return json.loads(kg("extract", f).stdout)


def _facts(rec):
    return ({(r["subject"], r["property"], r["object"]) for r in rec["relations"]},
            {(m["about"], m["indicator"], m["value"], m["unit"], m["period"]) for m in rec["metrics"]})


@pytest.mark.parametrize("name, data", [
    ("traditional.txt", HANT.encode("utf-8")),
    ("big5.txt", HANT.encode("big5")),
    ("traditional.html", f"<html><body><p>{'</p><p>'.join(D.REPORT_HANT)}</p></body></html>".encode("big5")),
])
def test_traditional_text_gives_what_its_simplified_twin_gives(tmp_path, name, data):
    hans = _facts(_extract(tmp_path, "simplified.txt", HANS.encode("utf-8")))
    assert hans[0] and hans[1]
    assert _facts(_extract(tmp_path, name, data)) == hans


def test_the_store_keeps_the_traditional_text_and_says_it_was_converted(tmp_path):
    f = tmp_path / "in" / "big5.txt"
    f.parent.mkdir()
    f.write_bytes(HANT.encode("big5"))
    kg("build", f.parent, "-o", tmp_path / "o")
    rows = json.loads(kg("query", """SELECT ?text ?enc ?script WHERE { ?s kg:text ?text ; kg:inDocument ?d .
                                     ?d kg:encoding ?enc ; kg:script ?script }""",
                         "--store", tmp_path / "o" / "store", "--format", "json").stdout)
    assert rows and {(r["enc"], r["script"]) for r in rows} == {("big5", "Hant")}
    written = {line.replace("「", "“").replace("」", "”") for line in D.REPORT_HANT}   # quotes are unified
    assert {r["text"] for r in rows} <= written
    names = json.loads(kg("query", "SELECT ?n WHERE { ?x a kg:MassOrganization ; skos:prefLabel ?n }",
                          "--store", tmp_path / "o" / "store", "--format", "json").stdout)
    assert {"青禾县侨联"} <= {r["n"] for r in names}         # entities by their simplified names


def test_offsets_of_a_converted_text_point_into_the_original():
    x = extract_document(RawDocument("t", "t.txt", HANT, "utf-8"))
    assert x.doc.script == "Hant" and len(x.doc.original) == len(x.doc.text)
    assert x.mentions
    for m in x.mentions:
        assert x.doc.text[m.start:m.end] == m.text
        original = x.doc.source_text(m.start, m.end)
        assert script.to_simplified(original) == m.text
        # and into the raw file's text, where normalization changed nothing in between
        a, b = x.doc.raw_offset(m.start), x.doc.raw_offset(m.end - 1) + 1
        if b - a == m.end - m.start:
            assert x.doc.raw[a:b].replace("「", "“").replace("」", "”") == original


@pytest.mark.parametrize("text", [HANS, "Annual report 2023.\n", "某县统战部召开会议。台灣同胞代表参加。\n" * 5])
def test_simplified_and_other_text_is_not_converted(text):
    doc = normalize(RawDocument("t", "t.txt", text, "utf-8"))
    assert doc.script == "Hans" and doc.original == "" and doc.source_text(0, len(doc.text)) == doc.text


def test_a_phrase_conversion_that_changes_length_falls_back_to_characters(monkeypatch):
    class Lengthening:
        """A converter whose phrase table lengthens one word, as a table could."""
        def convert(self, s):
            return s.replace("僑聯", "侨联会").replace("縣", "县")

    monkeypatch.setattr(script, "_converter", lambda: Lengthening())
    text = "縣僑聯開會\n縣政府\n"
    out = script.to_simplified(text)
    assert out.split("\n")[:2] == ["县僑聯開會", "县政府"]
    assert [len(a) for a in out.split("\n")] == [len(a) for a in text.split("\n")]
