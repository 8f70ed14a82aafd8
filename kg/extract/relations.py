"""Relations from cue words and prepositional constructions, within one sentence.

The subject of a cue is the mention that opens its clause (or an earlier clause
of the sentence), with any members coordinated with it; mentions after a verb or
a preposition are not subjects (组织X, 联合X, 在X are objects of their own). A cue
with no subject of its own gets the paragraph's topic subject from the resolver.

Prepositional constructions give relations of their own: 在X建立Y (X hosts the
base Y, or the body Y lies in X), 依托X建立Y, 联合X开展 (partners), 组织X参加Y
(X takes part), X入驻Y and 辖区X (X lies in Y, or in the section's area).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
import re
from functools import cached_property, lru_cache

from kg.extract import Context, alternation, read_table, register
from kg.extract.quoted import cues
from kg.model import FAMILY, Mention, RelationCandidate

MAX_GAP = 16            # characters between a cue and its object
_CLAUSE = re.compile("[，；：]")
_CLAUSE_END = re.compile("[，。；：！？]")
_COORD = re.compile(r"^(?:、|和|及|以及|与|，)$")
_HELPING = re.compile("协助|帮助|指导|支持|督促|引导")   # 协助X成立Y: X founds Y
_OPENERS = {"t", "m", "mq", "q", "d", "ad", "f", "y", "w"}
# words that open a clause before its subject without being one (其中，X…)
_OPENER_WORDS = re.compile("其中|同时|此外|另外|另一方面|与此同时|截至目前|近年来|一是|二是|三是|四是|五是")


@lru_cache(maxsize=1)
def signatures() -> dict[str, tuple[frozenset, frozenset]]:
    return {r[0]: (frozenset(r[1].split()), frozenset(r[2].split())) for r in read_table("relations.tsv")}


def _fits(cls: str, allowed) -> bool:
    return cls in allowed or FAMILY.get(cls) in allowed


def _alt(words) -> re.Pattern:
    return re.compile(alternation(words))


@lru_cache(maxsize=1)
def _cue_patterns():
    return {p: _alt(cues()[p]) for p in signatures()}


@lru_cache(maxsize=1)
def _markers() -> re.Pattern:
    c = cues()
    return _alt(c["at_marker"] + c["host_marker"] + c["partner_marker"] + c["participant_marker"])


@lru_cache(maxsize=1)
def _periods() -> list[re.Pattern]:
    return [re.compile(r[0]) for r in read_table("periods.tsv")]


class Sentence:
    """A sentence's mentions and clause starts, for the patterns below."""

    def __init__(self, ctx: Context, index: int, mentions: list[Mention]):
        self.ctx = ctx
        self.s = ctx.sentences[index]
        self.index = index
        self.mentions = mentions          # in order of start
        self.starts = [m.start for m in mentions]
        text = ctx.doc.text
        self.clauses = [self.s.start] + [m.end() for m in _CLAUSE.finditer(text, self.s.start, self.s.end)]
        self._opens: dict[tuple[int, int], bool] = {}   # every figure and cue of a clause asks again

    def clause_start(self, pos: int) -> int:
        # by bisection: a long line of many clauses would make a scan quadratic
        i = bisect_right(self.clauses, pos)
        return self.clauses[i - 1] if i else self.clauses[0]

    def starting_at(self, pos: int) -> list[Mention]:
        return self.mentions[bisect_left(self.starts, pos):bisect_right(self.starts, pos)]

    def opens_clause(self, start: int, m: Mention, at: int | None = None) -> bool:
        """Only time words, numbers and adverbs stand between the clause start and m
        (or its address, starting at ``at``)."""
        end = m.start if at is None else at
        got = self._opens.get((start, end))
        if got is None:
            got = self._opens[(start, end)] = self._only_openers(start, end)
        return got

    def _only_openers(self, start: int, end: int) -> bool:
        gap = self.ctx.doc.text[start:end]
        for p in _periods():
            gap = p.sub("", gap)
        gap = _OPENER_WORDS.sub("", gap)
        if not gap.strip("，、 "):
            return True
        i = self.ctx.token_index(start)
        toks = self.ctx.tokens
        while i < len(toks) and toks[i].start < end:
            t = toks[i]
            if t.end > start and t.tag not in _OPENERS and not any(p.fullmatch(t.text) for p in _periods()):
                return False
            i += 1
        return True

    @cached_property
    def _heads(self) -> list[tuple[int, Mention]]:
        return self._compute_heads()

    def heads(self) -> list[tuple[int, Mention]]:
        """Built once per sentence: cues call it many times (a long line has thousands)."""
        return self._heads

    @cached_property
    def _head_starts(self) -> list[int]:
        return [st for st, _ in self._heads]

    def head_starts(self) -> list[int]:
        return self._head_starts

    def _compute_heads(self) -> list[tuple[int, Mention]]:
        """(where the item starts, the mention it names): places written right before
        a name are its address, so 紫岩街道城北社区 is one item naming 城北社区."""
        out = []
        for m in self.mentions:
            if out and out[-1][1].end == m.start and FAMILY.get(out[-1][1].cls) == "Place":
                out[-1] = (out[-1][0], m)
            else:
                out.append((m.start, m))
        return out

    def coordinated(self, first: Mention, allowed) -> list[Mention]:
        """first and the mentions coordinated after it: A、B和C."""
        text = self.ctx.doc.text
        group = [first]
        for start, m in self.heads():
            if m.start < first.end:
                continue
            gap = text[group[-1].end:start]
            # “A”“B”: quoted names side by side are a list too
            quoted = gap == "" and text[start:start + 1] == "“" and text[group[-1].end - 1:group[-1].end] == "”"
            if _fits(m.cls, allowed) and (quoted or re.fullmatch(r"(?:、|和|及|以及|与)", gap)):
                group.append(m)
            elif start > group[-1].end:
                break
        return group

    def subject(self, pos: int, allowed) -> list[Mention]:
        """The mention opening the clause of ``pos`` (or an earlier clause of this
        sentence), with its coordinated members; [] when there is none."""
        starts = self.clauses[:bisect_right(self.clauses, pos)]      # sorted already
        heads = self.heads()
        head_starts = self.head_starts()
        for n in range(len(starts) - 1, -1, -1):
            cs = starts[n]
            ce = starts[n + 1] if n + 1 < len(starts) else pos
            inside = heads[bisect_left(head_starts, cs):bisect_left(head_starts, ce)]
            # 剑南街道南轩社区被评为: the address opens the clause, the name is the subject
            if inside and _fits(inside[0][1].cls, allowed) and self.opens_clause(cs, inside[0][1], inside[0][0]):
                inside = [m for _, m in inside]
                group = [m for m in self.coordinated(inside[0], allowed) if m.end <= pos]
                # 中原区 桐柏路街道: a place written before a name is its prefix, not a subject
                return [g for g in group if not self.starting_at(g.end)] or group
        return self.adjacent(pos, allowed)

    def adjacent(self, pos: int, allowed) -> list[Mention]:
        """Mentions right before the cue, with their coordination backwards:
        A、B、C被评为 (where A may be no mention at all)."""
        text = self.ctx.doc.text
        # walked backwards from the cue and only as far as the list goes: a scan of
        # every mention for every cue is quadratic on a long line
        before = (m for m in map(self.mentions.__getitem__, range(bisect_left(self.starts, pos) - 1, -1, -1))
                  if m.end <= pos and _fits(m.cls, allowed))
        last = next(before, None)
        # …秦岭路工地，先后被评为: a list, a comma, adverbs, then the verb
        if last is None or not re.fullmatch(r"，?(?:均|都|也|先后|分别|已|还|被|共同)*", text[last.end:pos]):
            return []
        group = [last]
        for m in before:
            if re.fullmatch(r"(?:、|和|及|以及|与)", text[m.end:group[-1].start]):
                group.append(m)
            else:
                break
        # 在X成立, 联合X开展: a mention after a marker is no subject
        lead = text[self.clause_start(group[-1].start):group[-1].start]
        if _markers().search(lead[-3:]) or re.search(r"[在于对向与和]$", lead):
            return []
        return group

    def opening(self, allowed) -> Mention | None:
        """The first mention that opens a clause of this sentence (its subject)."""
        heads = self.heads()
        head_starts = self.head_starts()
        for n, cs in enumerate(self.clauses):
            ce = self.clauses[n + 1] if n + 1 < len(self.clauses) else self.s.end
            inside = heads[bisect_left(head_starts, cs):bisect_left(head_starts, ce)]
            # 剑南街道南轩社区被评为: the address opens the clause, the name is the subject
            if inside and _fits(inside[0][1].cls, allowed) and self.opens_clause(cs, inside[0][1], inside[0][0]):
                inside = [m for _, m in inside]
                return inside[0]
        return None

    def objects_after(self, pos: int, allowed, gap: int = MAX_GAP) -> list[Mention]:
        text = self.ctx.doc.text
        for m in self.mentions[bisect_left(self.starts, pos):bisect_right(self.starts, pos + gap)]:
            if not _CLAUSE_END.search(text, pos, m.start) and _fits(m.cls, allowed):
                return self.coordinated(m, allowed)
        return []


def _sentences(ctx: Context):
    """Each body sentence that names something, with its mentions."""
    for s in ctx.sentences:
        ms = [m for m in ctx.mentions_between(s.start, s.end) if m.cls != "Concept"]
        if ms and not s.heading:
            yield Sentence(ctx, s.index, ms)


@register("cue_relations", produces="relations", requires=("sentences", "mentions"))
def cue_relations(ctx: Context):
    text = ctx.doc.text
    markers = _markers()
    # the bodies of a title chain (区委常委、统战部部长王某出席) do not attend: the person does
    chain_bodies = {h.span for _, _, held in ctx.notes.get("title_chains", ()) for h in held}
    for sent in _sentences(ctx):
        seen = set()
        for prop, (subj_ok, obj_ok) in signatures().items():
            for cue in _cue_patterns()[prop].finditer(text, sent.s.start, sent.s.end):
                if any(m.start <= cue.start() < m.end for m in ctx.mentions_between(cue.start() - 60, cue.start() + 1)):
                    continue  # 组织 in 区委组织部: a cue inside a name is no cue
                objs = sent.objects_after(cue.end(), obj_ok)
                if not objs:
                    continue
                if prop == "partner":
                    continue  # partners come from the marker patterns below
                # a mention right after a marker (在X, 联合X, 组织X) in this clause is no subject
                cs = sent.clause_start(cue.start())
                subj = sent.subject(cue.start(), subj_ok)
                if prop == "participatesIn" and any((x.start, x.end) in chain_bodies for x in subj):
                    continue
                if subj and markers.search(text, cs, subj[0].start):
                    subj = []
                if prop == "hosts" and not subj:
                    continue  # 在X建成 a base: X hosts it (below), not the topic
                if not subj and _HELPING.search(text, cs, cue.start()):
                    continue  # 协助民主党派成立…: those helped found it, the reporting body only helps
                for o in objs:
                    if prop == "runs" and _national_session(o):
                        continue  # 开展十九届五中全会宣讲: a local body studies a plenum, it does not hold it
                    for sub in subj or [None]:
                        key = (prop, o.start, sub.start if sub else None)
                        if key in seen or (sub is not None and sub.start == o.start):
                            continue
                        seen.add(key)
                        yield RelationCandidate(sub, prop, o, sent.index, f"cue:{prop}:{cue.group()}",
                                                0.6 if sub is not None else 0.45)


def _national_session(m: Mention) -> bool:
    """A Party congress or plenum of the whole Party (党的十九大, 十九届五中全会)."""
    return m.extractor == "congresses" and not re.match(r".+?[省市区县州旗]委", m.name or m.text)


def _marked(sent: Sentence, marker: re.Pattern, allowed) -> list[tuple[re.Match, list[Mention]]]:
    """(marker, the mentions right after it) for each marker in the sentence."""
    text = sent.ctx.doc.text
    out = []
    for mk in marker.finditer(text, sent.s.start, sent.s.end):
        # 在全市建立: a scope word (全市, 全区) is no place of its own here
        after = [m for m in sent.starting_at(mk.end()) if _fits(m.cls, allowed) and m.extractor != "context_words"]
        if after:
            out.append((mk, sent.coordinated(after[0], allowed)))
    return out


@register("preposition_relations", produces="relations", requires=("sentences", "mentions"))
def preposition_relations(ctx: Context):
    text = ctx.doc.text
    c = cues()
    at, host = _alt(c["at_marker"]), _alt(c["host_marker"])
    partner, participant = _alt(c["partner_marker"]), _alt(c["participant_marker"])
    build = _alt(c["build_verb"])
    places = {"Place", "Organization"}
    for sent in _sentences(ctx):
        # 在X建立Y / 依托X建立Y: X hosts the base Y; a body set up in a place lies in it
        for marker, rule in ((at, "at"), (host, "host")):
            for _, xs in _marked(sent, marker, places):
                verb = build.search(text, xs[-1].end, sent.s.end)
                if not verb:
                    continue
                for y in sent.objects_after(verb.end(), {"Base", "Organization", "Project"}, gap=20):
                    for x in xs:
                        if y.cls == "Base":
                            yield RelationCandidate(x, "hosts", y, sent.index, f"{rule}:X…{verb.group()}", 0.6)
                        elif FAMILY.get(x.cls) == "Place" and rule == "at":
                            yield RelationCandidate(y, "locatedIn", x, sent.index, f"at:在X{verb.group()}", 0.6)
        # 联合X开展 / 与X共同: partners of the clause's subject (or the topic)
        for mk, xs in _marked(sent, partner, {"Organization"}):
            subj = sent.subject(mk.start(), {"Organization"})
            for x in xs:
                for sub in subj or [None]:
                    yield RelationCandidate(sub, "partner", x, sent.index, f"partner:{mk.group()}X", 0.55)
        for m in re.finditer(r"与", text[sent.s.start:sent.s.end]):
            pos = sent.s.start + m.end()
            xs = [x for x in sent.mentions if x.start == pos and FAMILY.get(x.cls) == "Organization"]
            tail = re.match(r"[^，。；]{0,8}?(?:共同|联合|携手|结对|合作|签订|举办)", text[xs[0].end:sent.s.end]) if xs else None
            if xs and tail:
                before = [y for y in sent.mentions if y.end == sent.s.start + m.start() and FAMILY.get(y.cls) == "Organization"]
                subj = before or sent.subject(pos - 1, {"Organization"})
                for sub in subj or [None]:
                    yield RelationCandidate(sub, "partner", xs[0], sent.index, "partner:与X共同", 0.55)
                # 与X联合出台《Y》: X issues Y as well
                issue = _cue_patterns()["issues"].search(text, xs[0].end, min(sent.s.end, xs[0].end + 10))
                if issue:
                    for doc in sent.objects_after(issue.end(), {"Document"}):
                        yield RelationCandidate(xs[0], "issues", doc, sent.index, f"co-issuer:与X{issue.group()}", 0.6)
        # 组织X参加/开展Y: X takes part in Y
        for mk, xs in _marked(sent, participant, {"Organization", "Person"}):
            verb = re.compile(r"[^。；]{0,30}?(参加|参与|出席|开展|举办)").match(text, xs[-1].end, sent.s.end)
            if verb:
                for y in sent.objects_after(verb.end(), {"Program", "Event"}):
                    for x in xs:
                        yield RelationCandidate(x, "participatesIn", y, sent.index, f"participant:{mk.group()}X{verb.group(1)}", 0.55)
        # X入驻Y: X lies in Y
        for cue in _alt(c["settle_cue"]).finditer(text, sent.s.start, sent.s.end):
            ys = sent.objects_after(cue.end(), {"Place"}, gap=4)
            xs = [x for x in sent.mentions if x.end <= cue.start() and FAMILY.get(x.cls) in ("Organization", "Project")
                  and sent.clause_start(x.start) == sent.clause_start(cue.start())]
            for y in ys[:1]:
                for x in xs:
                    yield RelationCandidate(x, "locatedIn", y, sent.index, f"settle:{cue.group()}", 0.55)
        # X位于Y
        for cue in _alt(c["located_cue"]).finditer(text, sent.s.start, sent.s.end):
            ys = sent.objects_after(cue.end(), {"Place"}, gap=4)
            subj = sent.subject(cue.start(), {"Place", "Organization", "Base", "Project"})
            for y in ys[:1]:
                for x in subj or [None]:
                    yield RelationCandidate(x, "locatedIn", y, sent.index, f"located:{cue.group()}", 0.6)


@register("area_relations", produces="relations", requires=("sentences", "mentions"))
def area_relations(ctx: Context):
    """辖区X: X lies in the area the section is about (the resolver supplies it)."""
    marker = _alt(cues()["area_marker"])
    for sent in _sentences(ctx):
        for mk, xs in _marked(sent, marker, {"Place", "Organization", "Project", "Base"}):
            for x in xs:
                yield RelationCandidate(x, "locatedIn", None, sent.index, f"area:{mk.group()}X", 0.5)


_GRANTED_BY = re.compile(r"被([^，。；]{2,30}?)(?:授予|评为|命名为|确定为)")


# X命名183家单位为Y, X将某镇确定为Y: X grants Y; a name between 将/把 and the verb receives it
_NAMED_AS = re.compile(r"(?:(将|把)([^，。；]{2,30}?))?(?:命名|确定|认定|评定)[^，。；“”]{0,20}?为")


def _named_as(ctx: Context):
    text = ctx.doc.text
    for m in _NAMED_AS.finditer(text):
        honor = next((x for x in ctx.mentions_between(m.end(), m.end() + 4) if x.cls == "Honor"), None)
        if honor is None:
            continue
        si = ctx.sentence_at(m.start()).index
        sent = ctx.sentences[si]
        before = [x for x in ctx.mentions_between(sent.start, m.start()) if FAMILY.get(x.cls) == "Organization"]
        clause = text[max((i for i in (text.rfind(c, sent.start, m.start()) for c in "，；") if i >= 0), default=sent.start):m.start()]
        if before and before[-1].text in clause:
            yield RelationCandidate(honor, "awardedBy", before[-1], si, "grant:X命名为", 0.6)
        if m.group(1):
            for x in ctx.mentions_between(m.start(2), m.end(2)):
                if x.cls in ("AdministrativeArea", "Base", "Site") or FAMILY.get(x.cls) == "Organization":
                    yield RelationCandidate(x, "awarded", honor, si, "grant:将X确定为", 0.6)


@register("awarded_by", produces="relations", requires=("sentences", "mentions"))
def awarded_by(ctx: Context):
    """被X授予Y: the honor Y is awarded by X. A base followed by (Honor) holds it."""
    text = ctx.doc.text
    for m in _GRANTED_BY.finditer(text):
        grantor = [x for x in ctx.mentions if x.start >= m.start(1) and x.end <= m.end(1) and FAMILY.get(x.cls) == "Organization"]
        honor = [x for x in ctx.mentions if x.cls == "Honor" and x.start >= m.end() and x.start - m.end() <= 3]
        if grantor and honor:
            for g in grantor:
                yield RelationCandidate(honor[0], "awardedBy", g, ctx.sentence_at(m.start()).index,
                                        "passive:被X授予", 0.7)
    yield from _named_as(ctx)
    by_start = {m.start: m for m in ctx.mentions if m.cls == "Honor"}
    for m in ctx.mentions:
        if m.cls in ("Base", "Site") and text[m.end:m.end + 1] in "(（" and m.end + 1 in by_start:
            yield RelationCandidate(m, "awarded", by_start[m.end + 1], ctx.sentence_at(m.start).index,
                                    "designation:X(Honor)", 0.6)
