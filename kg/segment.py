"""Stage 3: segment normalized text into tokens with jieba and the domain dictionary.

jieba runs without its HMM (faster, and the HMM invents words across name
boundaries); part-of-speech tags come from the dictionaries' tag columns rather than
from jieba.posseg, which is an order of magnitude slower. Words the dictionaries do
not know get a tag from their shape (``_shape``).

Two paths give the same tokens. The fast one is jieba's Rust port (rjieba), whose
embedded dictionary is jieba's dict.txt; it is used only where that is known to
hold (a listed rjieba release and jieba's dict.txt by its hash) and where its
arithmetic is made jieba's: the same dictionary total, and the text cut where
rjieba's idea of a Chinese character is wider than jieba's. Otherwise the slow
path, jieba itself, runs. tests/test_segment.py compares the two.
"""
from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import logging
import os
import re
from functools import lru_cache
from importlib import resources
from itertools import accumulate, repeat
from pathlib import Path

from kg.model import Token

# rjieba releases whose embedded dictionary was unpacked and found to be jieba
# 0.42.1's dict.txt (sorted, its one duplicate line dropped), and that file's hash
_RJIEBA_CHECKED = ("0.2.2",)
_JIEBA_DICT_SHA256 = "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8"
# Characters rjieba cuts as Chinese and jieba does not (jieba's class is
# [\u4E00-\u9FD5a-zA-Z0-9+#&._%-]): jieba makes each a token of its own, so the fast
# path cuts the text at them. Surrogates cannot reach Rust at all.
_RUST_ONLY = re.compile("[\u9fd6-\u9fff\u3400-\u4dbf\uf900-\ufaff\ud800-\udfff"
                        "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]")
# A word no text can produce (private-use characters never join a dictionary
# block), whose frequency brings rjieba's dictionary total to jieba's.
_BALLAST = "\ue000\ue000"
_CACHE_VERSION = 1


def _shape(word: str) -> str:
    """Tag of a word no dictionary knows: punctuation w, numbers m, Latin eng, else x."""
    if word.isdigit() or word.replace(".", "", 1).isdigit():
        return "m"
    if word.isascii() and word.isalpha():
        return "eng"
    if not any(ch.isalnum() for ch in word):
        return "w"
    return "x"


def _userdict_text() -> str:
    return resources.files("kg.data").joinpath("userdict.txt").read_text("utf-8")


@lru_cache(maxsize=1)
def _user_entries() -> tuple[tuple[str, int | None, str], ...]:
    """(word, frequency or None, tag or "") of each line of the domain dictionary."""
    out = []
    for line in _userdict_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            word, freq, tag = (line.split() + ["", ""])[:3]
            out.append((word, int(freq) if freq else None, tag))
    return tuple(out)


def user_words() -> tuple[str, ...]:
    """The words of the domain dictionary."""
    return tuple(w for w, _, _ in _user_entries())


@lru_cache(maxsize=1)
def _user_tags() -> dict[str, str]:
    return {w: tag or "n" for w, _, tag in _user_entries()}


# --- the slow path: jieba itself (also the reference the tests compare against)

@lru_cache(maxsize=1)
def _tokenizer():
    """jieba's tokenizer with the domain dictionary, and the tag of every word."""
    import jieba
    import jieba.posseg
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    if not jieba.posseg.dt.word_tag_tab:
        jieba.posseg.dt.initialize()
    tags = dict(jieba.posseg.dt.word_tag_tab)
    for word, freq, tag in _user_entries():
        tk.add_word(word, freq, tag or None)
    tags.update(_user_tags())
    return tk, tags


def segment_with_jieba(text: str) -> tuple[Token, ...]:
    tk, tags = _tokenizer()
    words = list(tk.cut(text, HMM=False))
    return _tokens(words, [tags.get(w) or _shape(w) for w in words])


# --- the fast path

def _jieba_dict() -> Path | None:
    spec = importlib.util.find_spec("jieba")   # found, not imported: importing jieba costs 0.1 s
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "dict.txt"


def _cache_dir() -> Path:
    root = os.environ.get("KG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "kg"


class _Fast:
    """rjieba with the domain dictionary, brought to jieba's arithmetic."""

    def __init__(self, jb, dict_path: Path, key: str):
        self.jb = jb
        self.cut = jb.cut
        self.token_tag: dict[str, str] = {}        # word -> tag of the token
        self.tag_memo: dict[str, str | None] = {}  # word -> dictionary tag or None
        self._dict_path, self._key = dict_path, key
        self._split_tags: dict[str, str] | None = None
        self.facts = self._facts()
        if self.facts["ballast"]:   # again when the facts came from the cache (setting it twice is harmless)
            jb.add_word(_BALLAST, self.facts["ballast"], None)

    def _facts(self) -> dict:
        """What only jieba's dict.txt tells (the ballast that evens the totals, the
        tags of words rjieba cuts apart when alone), read once per install."""
        path = _cache_dir() / f"segment-{self._key[:16]}.json"
        try:
            facts = json.loads(path.read_text("utf-8"))
            if facts.get("key") == self._key:
                return facts
        except (OSError, ValueError):
            pass
        facts = _dict_facts(self.jb, self._dict_path)
        facts["key"] = self._key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(facts, ensure_ascii=False), "utf-8")
            os.replace(tmp, path)
        except OSError:
            pass   # an unwritable cache costs the reading again next time, nothing else
        return facts

    def word_tag(self, word: str) -> str | None:
        """The dictionaries' tag of ``word``, None if neither knows it."""
        if word in self.tag_memo:
            return self.tag_memo[word]
        tag = _user_tags().get(word)
        if tag is None and word != _BALLAST and self.jb.has_word(word):
            got = self.jb.tag(word, False)
            tag = got[0][1] if len(got) == 1 else self.facts["split_tags"].get(word)
        self.tag_memo[word] = tag
        return tag

    def tags(self, words: list[str]) -> list[str]:
        out = list(map(self.token_tag.get, words))
        if None in out:
            for i, t in enumerate(out):
                if t is None:
                    w = words[i]
                    out[i] = self.token_tag[w] = self.word_tag(w) or _shape(w)
        return out

    def words(self, text: str) -> list[str]:
        if not _RUST_ONLY.search(text):
            return self.cut(text, False)
        out, pos = [], 0
        for m in _RUST_ONLY.finditer(text):
            if m.start() > pos:
                out += self.cut(text[pos:m.start()], False)
            out.append(m.group())
            pos = m.end()
        if pos < len(text):
            out += self.cut(text[pos:], False)
        return out


def _dict_facts(jb, dict_path: Path) -> dict:
    """The ballast frequency and the split words' tags (``jb`` has the domain words).

    jieba's total counts every line of dict.txt and every added word's frequency;
    rjieba's counts each distinct word once, at its last frequency.
    """
    tags, freq, jieba_total = {}, {}, 0
    for line in dict_path.read_text("utf-8").splitlines():
        w, f, t = line.split(" ")
        tags[w], freq[w] = t, int(f)
        jieba_total += int(f)
    rust_total = sum(freq.values())
    for w, f, _ in _user_entries():
        jieba_total += f
        rust_total += f - freq.get(w, 0)
        freq[w] = f
    ballast = jieba_total - rust_total
    if ballast:
        jb.add_word(_BALLAST, ballast, None)   # before the cuts below, which depend on the total
    user = _user_tags()
    split = {w: t for w, t in tags.items() if w not in user and jb.cut(w, False) != [w]}
    return {"version": _CACHE_VERSION, "ballast": ballast, "split_tags": split}


@lru_cache(maxsize=1)
def _fast() -> _Fast | None:
    """The fast path, or None where its tokens are not known to be jieba's."""
    try:
        import rjieba
        from importlib.metadata import version
        rj_version = version("rjieba")
    except ImportError:
        return None
    dict_path = _jieba_dict()
    if rj_version not in _RJIEBA_CHECKED or dict_path is None or not dict_path.is_file():
        return None
    if hashlib.sha256(dict_path.read_bytes()).hexdigest() != _JIEBA_DICT_SHA256:
        return None
    if any(f is None or f <= 0 for _, f, _ in _user_entries()):
        return None   # jieba would guess those frequencies; only jieba can
    # rjieba loads its dictionary into a default instance on import; a second one
    # would cost 0.1 s a process, and nothing else in kg uses rjieba
    jb = rjieba._DEFAULT_JIEBA
    for word, f, tag in _user_entries():
        jb.add_word(word, f, tag or "n")
    key = hashlib.sha256(f"{_CACHE_VERSION} {rj_version} {_JIEBA_DICT_SHA256} {_userdict_text()}".encode()).hexdigest()
    fast = _Fast(jb, dict_path, key)
    return fast if fast.facts["ballast"] >= 0 else None


def word_tag(word: str) -> str | None:
    """The dictionaries' tag of ``word`` (jieba's dict.txt, then the domain
    dictionary over it), None for a word neither knows."""
    fast = _fast()
    return fast.word_tag(word) if fast else _tokenizer()[1].get(word)


def _tokens(words: list[str], tags: list[str]) -> tuple[Token, ...]:
    """Tokens of consecutive ``words``. Built field by field in C loops: Token's
    frozen __init__ costs twice as much, and a document has ~0.6 tokens a character."""
    ends = list(accumulate(map(len, words)))
    starts = [0] + ends[:-1]
    # thousands of new objects that all live on would start collections that walk
    # every long-lived object (dictionaries, gazetteer) again and again, for nothing:
    # these hold no cycles
    enabled = gc.isenabled()
    gc.disable()
    try:
        out = list(map(object.__new__, repeat(Token, len(words))))
        for field, values in ((Token.text, words), (Token.start, starts), (Token.end, ends), (Token.tag, tags)):
            any(map(field.__set__, out, values))   # __set__ returns None: any() runs it over all
        return tuple(out)
    finally:
        if enabled:
            gc.enable()


def segment(text: str) -> tuple[Token, ...]:
    fast = _fast()
    if fast is None:
        return segment_with_jieba(text)
    words = fast.words(text)
    return _tokens(words, fast.tags(words))
