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
    g = gazetteer.Gazetteer(*fresh[:3], frozenset(fresh[3]), frozenset(fresh[4]))
    assert g.lookup("杭州") == g.lookup("杭州市") and g.lookup("杭州市")[0].level == "city"
