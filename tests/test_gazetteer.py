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
