"""Stage 3: segment normalized text into tokens with jieba and the domain dictionary.

jieba runs without its HMM (faster, and the HMM invents words across name
boundaries); part-of-speech tags come from the dictionaries' tag columns rather than
from jieba.posseg, which is an order of magnitude slower. Words the dictionaries do
not know get the tag ``x``.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

import jieba
import jieba.posseg

from kg.model import Token

jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def user_words() -> tuple[str, ...]:
    """The words of the domain dictionary."""
    out = []
    for line in resources.files("kg.data").joinpath("userdict.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.split()[0])
    return tuple(out)


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[jieba.Tokenizer, dict[str, str]]:
    tk = jieba.Tokenizer()
    tk.initialize()
    tags = dict(jieba.posseg.dt.word_tag_tab) if jieba.posseg.dt.word_tag_tab else {}
    if not tags:
        jieba.posseg.dt.initialize()
        tags = dict(jieba.posseg.dt.word_tag_tab)
    for line in resources.files("kg.data").joinpath("userdict.txt").read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, freq, tag = (line.split() + ["", ""])[:3]
        tk.add_word(word, int(freq) if freq else None, tag or None)
        tags[word] = tag or "n"
    return tk, tags


def _shape(word: str) -> str:
    """Tag of a word no dictionary knows: punctuation w, numbers m, Latin eng, else x."""
    if word.isdigit() or word.replace(".", "", 1).isdigit():
        return "m"
    if word.isascii() and word.isalpha():
        return "eng"
    if not any(ch.isalnum() for ch in word):
        return "w"
    return "x"


def segment(text: str) -> tuple[Token, ...]:
    tk, tags = _tokenizer()
    out = []
    pos = 0
    for w in tk.cut(text, HMM=False):
        out.append(Token(w, pos, pos + len(w), tags.get(w) or _shape(w)))
        pos += len(w)
    return tuple(out)
