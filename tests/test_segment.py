import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import ingest, segment as seg
from kg.normalize import normalize
from kg.pipeline import sample_corpus
from kg.segment import segment, segment_with_jieba

# characters that stress the cut: the Chinese jieba knows, what only rjieba counts as
# Chinese (extension A, compatibility ideographs, beyond U+9FD5, extension B), the
# ASCII jieba keeps in a block, whitespace (\r\n is one token), punctuation, emoji,
# private use (the ballast word's character)
ODD = list("㐀䶵鿖鿿豈﨩\U00020000\U0002a6d6+#&._%-aZ09 \t\r\n\u3000\xa0，。、“”《》（）—…·!?😀\ue000")


@pytest.fixture(scope="module")
def fast():
    f = seg._fast()
    assert f is not None, "the fast path is off: rjieba missing, or not a release checked against jieba's dictionary"
    return f


@pytest.fixture(scope="module")
def dict_words():
    words = [line.split(" ")[0] for line in seg._jieba_dict().read_text("utf-8").splitlines()]
    return words + list(seg.user_words())


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="区委统战部街道党工委开展活动，。“”123 abc\n", max_size=80))
def test_tokens_tile_the_text(text):
    toks = segment(text)
    assert "".join(t.text for t in toks) == text
    assert all(text[t.start:t.end] == t.text for t in toks)


def test_domain_dictionary_keeps_suffixes_whole():
    words = [t.text for t in segment("某某区委统战部和某某街道党工委")]
    assert "统战部" in words and "党工委" in words


def test_corpus_tokens_are_jiebas(fast):
    for path in sorted(sample_corpus().glob("*.txt")):
        raw = ingest.read(str(path))
        for text in (raw.raw, normalize(raw).text):
            assert segment(text) == segment_with_jieba(text), path.name


def test_made_up_text_tokens_are_jiebas(fast, dict_words):
    """Runs of dictionary words (where the route has real choices to make) with odd
    characters between them."""
    rnd = random.Random(9)
    common = [w for w in dict_words if len(w) <= 4]
    for _ in range(3000):
        parts = [rnd.choice(common) if rnd.random() < 0.85 else rnd.choice(ODD) for _ in range(rnd.randint(1, 30))]
        text = "".join(parts)
        assert segment(text) == segment_with_jieba(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ODD + list(seg.user_words()) + ["统战", "部长", "中共", "成都市", "1.5", "万元", "abc"]),
                max_size=40).map("".join))
def test_generated_text_tokens_are_jiebas(text):
    assert segment(text) == segment_with_jieba(text)


def test_only_the_listed_characters_are_chinese_to_rjieba_alone(fast):
    """Every code point: rjieba's class of block characters is jieba's plus
    exactly ``_RUST_ONLY``, the characters the fast path cuts at."""
    import jieba
    import rjieba
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    probe = rjieba.Jieba.empty()
    for ch in chars:
        probe.add_word("a" + ch, 1, None)   # found whole only inside one block
    rust = {t[1] for t in probe.cut("\n".join("a" + ch for ch in chars), False) if len(t) == 2 and t[0] == "a"}
    python = {ch for ch in chars if jieba.re_han_default.fullmatch(ch)}
    assert python <= rust
    assert rust - python == {ch for ch in chars if seg._RUST_ONLY.match(ch) and not 0xD800 <= ord(ch) <= 0xDFFF}


def test_word_tags_are_the_dictionaries(fast, dict_words):
    tags = seg._tokenizer()[1]
    assert all(seg.word_tag(w) == tags[w] for w in dict_words)
    for w in ["张三丰", "某某某", "x", "", seg._BALLAST, "统战部部长"]:
        assert seg.word_tag(w) == tags.get(w)


def test_cached_facts_are_the_dictionarys(fast, tmp_path, monkeypatch):
    """What the cache holds is what reading dict.txt gives; a stale file is rebuilt."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    stale = tmp_path / "kg" / f"segment-{fast._key[:16]}.json"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"key": "old"}', "utf-8")
    assert fast._facts() == fast.facts
    assert re.search(fast._key, stale.read_text("utf-8"))
