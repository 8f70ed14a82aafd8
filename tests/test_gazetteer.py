import zipfile

from kg import gazetteer


def test_reads_the_zipped_data_a_fresh_install_ships():
    import importlib.util
    from pathlib import Path
    folder = Path(list(importlib.util.find_spec("jionlp").submodule_search_locations)[0]) / "dictionary"
    with zipfile.ZipFile(folder / "china_location.zip") as z:
        zipped = z.read("china_location.txt").decode("utf-8").splitlines()
    assert gazetteer._data_lines()[:1000] == zipped[:1000]


def test_levels_codes_and_parents():
    g = gazetteer.load()
    county = g.best("西湖区", ("杭州市",))
    assert (county.level, county.code, county.parent) == ("county", "330106", "杭州市")
    assert g.best("西湖区", ("南昌市",)).parent == "南昌市"
    assert g.lookup("浙江")[0].name == "浙江省"
    assert g.parent_of(county) == {"杭州市", "浙江省"}


def test_the_cache_holds_what_reading_the_data_gives(tmp_path, monkeypatch):
    """A cold cache is written, a warm one read back, a stale one rewritten; all
    three give the same gazetteer."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    fresh = gazetteer._index()
    assert gazetteer._cached_index() == fresh            # cold: read the data, write the cache
    cache = tmp_path / "kg" / "gazetteer.marshal"
    assert cache.is_file()
    assert gazetteer._cached_index() == fresh            # warm
    import marshal
    cache.write_bytes(marshal.dumps([["old"], {}, {}, 0, [], []]))
    assert gazetteer._cached_index() == fresh            # stale: rebuilt
    g = gazetteer.Gazetteer.from_index(fresh)
    assert g.lookup("杭州") == g.lookup("杭州市") and g.lookup("杭州市")[0].level == "city"


import pytest  # noqa: E402


@pytest.mark.parametrize("short, full", [
    ("黔东南州", "黔东南苗族侗族自治州"),     # an autonomous prefecture by its short form and 州
    ("凉山州", "凉山彝族自治州"),
    ("湘西州", "湘西土家族苗族自治州"),
    ("互助县", "互助土族自治县"),             # an autonomous county by its short form and 县
    ("巴州", "巴音郭楞蒙古自治州"),           # one of several short forms the data gives (巴州/巴音郭楞)
    ("巴音郭楞", "巴音郭楞蒙古自治州"),
    ("黔东南", "黔东南苗族侗族自治州"),
])
def test_short_forms_of_autonomous_areas(short, full):
    assert gazetteer.load().best(short).name == full


@pytest.mark.parametrize("word", ["开化", "路桥", "新建", "互助"])
def test_a_countys_bare_short_form_is_no_alias(word):
    """Too many are words: 路桥 (roads and bridges), 新建 (newly built), 互助 (mutual aid)."""
    assert gazetteer.load().lookup(word) == ()


def test_an_autonomous_prefecture_named_short_is_found_in_text():
    from helpers import found
    got = found("近日，凉山州民宗委召开民族团结进步创建工作推进会。", ["gazetteer_places"])
    assert ("AdministrativeArea", "凉山彝族自治州") in got


from hypothesis import given, settings, strategies as st  # noqa: E402

_NAMES = sorted(gazetteer.load().by_name)[::97]     # a spread of the data's names, every level


def _longest_first(g, name: str) -> list[str]:
    """The chain as defined: at each place the longest area name there (a
    two-character one only if it is no town), tried from the longest down."""
    out, pos = [], 0
    while pos < len(name):
        for k in range(min(g.max_len, len(name) - pos), 1, -1):
            piece = name[pos:pos + k]
            if piece in g.by_name and (k >= 3 or g.by_name[piece][0][1] != "town"):
                out.append(piece)
                pos += k
                break
        else:
            break
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_NAMES).map(lambda n: n[:-1]),
                          st.text("区县市委镇街道办事处统战部人民政府新城", min_size=1, max_size=3)), max_size=5))
def test_leading_places_is_the_longest_name_at_each_step(parts):
    g = gazetteer.load()
    name = "".join(parts)
    assert g.leading_places(name) == _longest_first(g, name)


@pytest.mark.parametrize("name, chain", [
    ("苏州市吴中区委宣传部", ["苏州市", "吴中区"]),
    ("太原市小店区人民政府", ["太原市", "小店区"]),
    ("市委统战部", []),
])
def test_leading_places_of_a_body(name, chain):
    assert gazetteer.load().leading_places(name) == chain


def test_area_names_are_the_names_lookup_finds_and_is_area_name_accepts():
    """The precomputed set against its definition, over every full name and short
    form, what they start with, and words around them."""
    g = gazetteer.load()
    words = set(g.by_name) | set(g.aliases)
    words |= {w[:-1] for w in words} | {w + "区" for w in list(words)[::50]} | {"社区", "区", "", "市委", "发展"}
    for w in words:
        areas = g.lookup(w)
        assert (w in g.area_names) == (bool(areas) and len(w) >= 2 and (len(w) >= 3 or areas[0].level != "town")), w


@pytest.mark.parametrize("word, area", [
    ("黔东南州", True), ("延边", True), ("赣州", True), ("西湖区", True),
    ("社区", False), ("东城", False), ("发展", False), ("州", False),
])
def test_is_area_name(word, area):
    assert gazetteer.load().is_area_name(word) is area


def test_village_names_are_held_as_hashes_and_found_exactly():
    names = sorted({line.strip().split("\t")[0] for line in gazetteer._data_lines() if line.startswith("\t\t\t\t")})
    held = gazetteer.villages()
    assert len(held) == len(names)
    assert all(n in held for n in names)
    others = [n + "村" for n in names[::301]] + [n[:-1] for n in names[::301]] + ["", "村", "社区", "某某村"]
    listed = set(names)
    assert not any(o in held for o in others if o not in listed)
    assert 3 not in held and None not in held


@pytest.mark.parametrize("name, held", [("双塘村", True), ("城关社区", True), ("智慧社区", False), ("网格社区", False)])
def test_is_a_village(name, held):
    assert (name in gazetteer.villages()) is held
