import re
from importlib import resources

from kg import ingest
from kg.extract import alternation, read_table
from kg.normalize import normalize
from kg.pipeline import sample_corpus


def test_one_character_words_as_a_class_match_as_the_plain_branch_did():
    """alternation() writes one-character words as a character class; over the
    corpus, every data file's words match exactly where the plain branch (longest
    first) matched."""
    texts = [normalize(ingest.read(str(p))).text for p in sorted(sample_corpus().glob("*.txt"))]
    texts.append("张王欧阳a-b-]]" + "".join(texts)[:2000])
    files = [f.name for f in resources.files("kg.data").iterdir() if f.name.endswith(".tsv")]
    checked = 0
    for name in files:
        for col in range(3):
            words = {r[col] for r in read_table(name) if len(r) > col and r[col]}
            if sum(len(w) == 1 for w in words) < 2:
                continue
            plain = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
            fast = re.compile(alternation(words))
            for text in texts:
                assert [m.span() for m in plain.finditer(text)] == [m.span() for m in fast.finditer(text)], name
            checked += 1
    assert checked >= 3
