from kg.extract import run
from kg.model import RawDocument
from kg.normalize import normalize, split_sentences
from kg.resolve import resolve
from kg.segment import segment


def context_of(text, components=None):
    doc = normalize(RawDocument("t", "t.txt", text, "utf-8"))
    return run(doc, split_sentences(doc), segment(doc.text), components)


def extraction(text):
    return resolve(context_of(text))


def found(text, components=None):
    """{(class, name)} of the mentions the components find in ``text``."""
    return {(m.cls, m.name or m.text) for m in context_of(text, components).mentions}
