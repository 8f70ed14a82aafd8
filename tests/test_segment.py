from hypothesis import given, settings
from hypothesis import strategies as st

from kg.segment import segment


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="区委统战部街道党工委开展活动，。“”123 abc\n", max_size=80))
def test_tokens_tile_the_text(text):
    toks = segment(text)
    assert "".join(t.text for t in toks) == text
    assert all(text[t.start:t.end] == t.text for t in toks)


def test_domain_dictionary_keeps_suffixes_whole():
    words = [t.text for t in segment("某某区委统战部和某某街道党工委")]
    assert "统战部" in words and "党工委" in words
