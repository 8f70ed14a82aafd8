"""The whole extraction on random report-like text: it never fails, and every
offset it reports points at the text it names."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import RawDocument
from kg.pipeline import extract_document

PIECES = ["区委统战部", "街道党工委", "开展", "“", "”", "《", "》", "活动", "有限公司", "社区", "、", "，", "。",
          "\n", " ", "被评为", "称号", "联合", "在", "建立", "基地", "项目", "15.8亿元", "近百名", "3处", "27.4%",
          "今年以来", "2020年", "临江区", "滨海市", "长青路", "之家", "等", "和", "(", ")", "十九届三中、四中全会",
          "本报记者", "王", "李明", "摄", "村", "镇", "局", "委", "1", "万", "余", "号院", "省、市委"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=80))
def test_extraction_never_fails_and_offsets_hold(pieces):
    text = "".join(pieces)
    if not text.strip():
        return
    x = extract_document(RawDocument("p", "p.txt", text, "utf-8"))
    t = x.doc.text
    assert all(t[s.start:s.end] == s.text for s in x.sentences)
    assert all(t[m.start:m.end] == m.text for m in x.mentions)
    assert all(t[m.start:m.end] == m.text for m in x.metrics)
    for r in x.relations:
        s = x.sentences[r.provenance.sentence]
        assert (s.start, s.end) == (r.provenance.start, r.provenance.end)
    keys = {e.key for e in x.entities}
    assert all(r.subject in keys and r.object in keys for r in x.relations)
