"""Traditional and simplified characters: which one a text is written in, its
simplified form for extraction, and how plausible a decoding is as Chinese.

The rules, lexicons and gazetteer are in simplified characters, so a text in
traditional characters is read through its simplified form (OpenCC's hk2s:
Hong Kong and Taiwan variants, then OpenCC's traditional-to-simplified tables;
characters and fixed phrases only, no vocabulary swaps such as 軟體→软件). Every
character of OpenCC's tables maps to one character, so the simplified text has
the original's length and every offset holds for both; a line that a phrase
conversion would lengthen or shorten is converted character by character instead.

Detection and scoring look at a sample of the text with one regular expression
each, so a simplified text costs a few microseconds and is never converted.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Frequent characters whose simplified form differs from their traditional one:
# the simplified forms that are not in Big5, and the traditional (OpenCC, Taiwan
# and Hong Kong) forms that are not in GB2312, so neither list holds a character
# both scripts write (干, 台, 里, 后 …).
HANS_ONLY = ("这为个国时来们对会发动过说产学经进着电现实两当点从业应开还义间样关线内数质变条没结问无军题员总"
             "设长头资边级图统较将组见计别论运农区强决战则处队给门规热领东导压争济阶术联认权证转单风带场车务"
             "达积议声报类华张马节话况温传许广记观织装众书须际验连断难矿备办习响约劳团历称号维选标写亲养层却"
             "专状识属圆调满县参红细该铁严龙飞乡镇谊侨湾协监举项训贯彻")
HANT_ONLY = ("這爲為個國時來們對會發動過說説產種學經進電裏裡現實兩體機當點從業應開還義間樣與關線內數麼質氣變"
             "條沒結問無軍並題黨員總設長頭資邊級圖統較將組見計別論運農幾區強決幹戰則據處隊給門規熱領東導壓爭"
             "濟階術極聯認權證採轉單風帶場車務萬達積議聲報鬥類離華確張馬節話況溫傳許羣廣記觀織裝衆眾書復兒須"
             "際驗連斷難礦備辦習響約勞團歷構稱準號維劃選標寫親養層卻專狀廠識適屬圓調滿縣參紅細聽該鐵價嚴龍飛"
             "鄉鎮誼僑臺灣協監舉項訓貫徹")
# About 520 of the most frequent characters of Chinese prose and of work reports,
# in both scripts: a right decoding of a report has most of its characters here,
# a wrong one (Big5 bytes read as GB18030, or the reverse) very few.
COMMON = ("的一是在不了有和人这這中大为爲為上个個国國我以要他时時来來用们們生到作地于於出就分对對成会會可主"
          "发發年动動同工也能下过過子说說説产產种種面而方后後多定行学學法所民得经經十三之进進着著等部度家电電"
          "力里裏裡如水化高自二理起小物现現实實加量都两兩体體制机機当當使点點从從业業本去把性好应應开開它合还"
          "還因由其些然前外天政四日那社义義事平形相全表间間样樣与與关關各重新线線内內数數正心反你明看原又么麼"
          "利比或但质質气氣第向道命此变變条條只没沒结結解问問意建月公无無系军軍很情者最立代想已通并並提直题題"
          "党黨程展五果料象员員革位入常文总總次品式活设設及管特件长長求老头頭基资資边邊流路级級少图圖山统統接"
          "知较較将將组組见見计計别別她手角期根论論运運农農指几幾九区區强強放决決西被干幹做必战戰先回则則任取"
          "据據处處队隊南给給色光门門即保治北造百规規热熱领領七海口东東导導器压壓志世金增争爭济濟阶階油思术術"
          "极極交受联聯什认認六共权權收证證改清己美再采採转轉更单單风風切打白教速花带帶安场場身车車例真务務具"
          "万萬每目至达達走积積示议議声聲报報斗鬥完类類八离離华華名确確才科张張信马馬节節话話米整空元况況今集"
          "温溫传傳土许許步群羣广廣石记記需段研界拉林律叫且究观觀越织織装裝影算低持音众衆眾书書布复復容儿兒须"
          "須际際商非验驗连連断斷深难難近矿礦千周委素技备備半办辦青省列习習响響约約支般史感劳勞便团團往酸历歷"
          "市克何除消构構府称稱太准準精值号號率族维維划劃选選标標写寫存候毛亲親快效斯院查江型眼王按格养養易置"
          "派层層片始却卻专專状狀育厂廠京识識适適属屬圆圓包火住调調满滿县縣局照参參红紅细細引听聽该該铁鐵价價"
          "严嚴龙龍飞飛乡鄉镇鎮街村谊誼侨僑台臺湾灣宗协協监監督举舉推落服项項培训訓企善贯貫彻徹")
_HANS = re.compile(f"[{HANS_ONLY}]")
_HANT = re.compile(f"[{HANT_ONLY}]")
_COMMON = re.compile(f"[{COMMON}]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
SAMPLE = 2048        # characters looked at, from each of the start, middle and end
CONVERTER = "opencc hk2s"


def sample(text: str, size: int = SAMPLE) -> str:
    """The start, middle and end of ``text``: enough to judge a report by, cheap to scan."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2 - size // 2
    return text[:size] + text[mid:mid + size] + text[-size:]


def is_traditional(text: str) -> bool:
    """Whether ``text`` is predominantly in traditional characters: several of the
    frequent traditional-only characters, and few simplified-only ones beside them
    (a simplified report that quotes a traditional name stays simplified)."""
    s = sample(text)
    hant = len(_HANT.findall(s))
    return hant >= 3 and hant > 3 * len(_HANS.findall(s))


def plausibility(text: str) -> float:
    """Share of the sample's Han characters that are frequent characters (0 with none)."""
    s = sample(text)
    han = len(_HAN.findall(s))
    return len(_COMMON.findall(s)) / han if han else 0.0


@lru_cache(maxsize=1)
def _converter():
    import opencc      # only a traditional text pays for loading the tables
    return opencc.OpenCC("hk2s")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, character for character (the same length,
    each character where it was), so offsets into one are offsets into the other."""
    conv = _converter().convert
    out = conv(text)
    if len(out) == len(text) and out.count("\n") == text.count("\n"):
        lines, olines = text.split("\n"), out.split("\n")
        if all(len(a) == len(b) for a, b in zip(lines, olines)):
            return out
    else:
        lines = text.split("\n")
        olines = [conv(line) for line in lines]
    # a phrase conversion changed a line's length: that line goes character by character
    return "\n".join(b if len(a) == len(b) else "".join(_char(conv, c) for c in a) for a, b in zip(lines, olines))


def _char(conv, c: str) -> str:
    s = conv(c)
    return s if len(s) == 1 else c
