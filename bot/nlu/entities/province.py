"""Indonesia's 38 provinces, as workers write them: names, abbreviations, home districts, typos.

    find_provinces("sy dr indramayu")   -> {"jawa_barat"}
    province_name("jawa_barat")         -> "Jawa Barat"

The ids are what flows store and flows/offices.yml lists. Districts and towns are only those
that many migrant workers come from (and provincial capitals), each in exactly one province.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

# id: (name, other names and abbreviations, districts and towns)
# fmt: off
PROVINCES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "aceh": ("Aceh", ("nad", "nanggroe aceh darussalam"), ("banda aceh", "lhokseumawe", "bireuen", "langsa")),
    "sumatera_utara": ("Sumatera Utara", ("sumut", "sumatra utara", "north sumatra"), ("medan", "deli serdang", "asahan", "langkat", "batubara", "labuhanbatu", "serdang bedagai", "pematang siantar", "tanjungbalai", "padangsidimpuan")),
    "sumatera_barat": ("Sumatera Barat", ("sumbar", "sumatra barat", "west sumatra"), ("padang", "bukittinggi", "pariaman", "payakumbuh")),
    "riau": ("Riau", (), ("pekanbaru", "dumai", "bengkalis", "rokan hilir", "indragiri hilir")),
    "kepulauan_riau": ("Kepulauan Riau", ("kepri", "riau islands"), ("batam", "tanjung pinang", "tanjungpinang", "bintan", "karimun")),
    "jambi": ("Jambi", (), ("kerinci", "muaro jambi")),
    "sumatera_selatan": ("Sumatera Selatan", ("sumsel", "sumatra selatan", "south sumatra"), ("palembang", "ogan komering ilir", "ogan komering ulu", "lubuklinggau")),
    "bengkulu": ("Bengkulu", (), ("rejang lebong",)),
    "lampung": ("Lampung", (), ("bandar lampung", "lampung timur", "lampung tengah", "lampung selatan", "lampung utara", "pringsewu", "pesawaran", "tanggamus", "metro")),
    "bangka_belitung": ("Kepulauan Bangka Belitung", ("babel", "bangka belitung"), ("bangka", "belitung", "pangkal pinang", "pangkalpinang")),
    "dki_jakarta": ("DKI Jakarta", ("jakarta", "dki", "dki jakarta"), ("jakarta utara", "jakarta timur", "jakarta barat", "jakarta selatan", "jakarta pusat")),
    "jawa_barat": ("Jawa Barat", ("jabar", "west java"), ("indramayu", "cirebon", "majalengka", "sukabumi", "karawang", "cianjur", "subang", "kuningan", "bandung", "bekasi", "bogor", "garut", "tasikmalaya", "ciamis", "purwakarta", "cimahi", "depok", "sumedang", "pangandaran", "bandung barat")),
    "banten": ("Banten", (), ("serang", "tangerang", "pandeglang", "lebak", "cilegon")),
    "jawa_tengah": ("Jawa Tengah", ("jateng", "central java"), ("cilacap", "kendal", "grobogan", "pati", "banyumas", "purwokerto", "brebes", "wonosobo", "semarang", "pemalang", "tegal", "kebumen", "banjarnegara", "purbalingga", "sragen", "jepara", "demak", "batang", "boyolali", "blora", "rembang", "kudus", "klaten", "wonogiri", "magelang", "solo", "surakarta", "pekalongan", "temanggung", "karanganyar", "sukoharjo", "purworejo")),
    "di_yogyakarta": ("DI Yogyakarta", ("diy", "yogya", "jogja", "jogjakarta", "yogyakarta", "yogyakarta special region"), ("sleman", "bantul", "gunungkidul", "gunung kidul", "kulon progo", "kulonprogo")),
    "jawa_timur": ("Jawa Timur", ("jatim", "east java"), ("banyuwangi", "ponorogo", "blitar", "tulungagung", "malang", "jember", "kediri", "madiun", "trenggalek", "lamongan", "bojonegoro", "tuban", "nganjuk", "pacitan", "magetan", "ngawi", "lumajang", "situbondo", "bondowoso", "probolinggo", "pasuruan", "sidoarjo", "mojokerto", "jombang", "gresik", "surabaya", "sumenep", "bangkalan", "sampang", "pamekasan", "madura")),
    "bali": ("Bali", (), ("denpasar", "buleleng", "karangasem", "jembrana", "tabanan", "gianyar", "klungkung", "bangli")),
    "nusa_tenggara_barat": ("Nusa Tenggara Barat", ("ntb", "west nusa tenggara"), ("lombok", "lombok timur", "lombok tengah", "lombok barat", "lombok utara", "lotim", "loteng", "lobar", "mataram", "sumbawa", "sumbawa barat", "bima", "dompu")),
    "nusa_tenggara_timur": ("Nusa Tenggara Timur", ("ntt", "east nusa tenggara"), ("kupang", "flores", "flores timur", "adonara", "larantuka", "malaka", "belu", "atambua", "timor tengah selatan", "tts", "timor tengah utara", "ttu", "kefamenanu", "sumba", "sumba barat", "sumba timur", "sumba barat daya", "ende", "sikka", "maumere", "manggarai", "lembata", "alor", "rote ndao", "sabu raijua", "ngada", "nagekeo")),
    "kalimantan_barat": ("Kalimantan Barat", ("kalbar", "west kalimantan"), ("pontianak", "sambas", "sanggau", "singkawang", "ketapang", "entikong", "kapuas hulu")),
    "kalimantan_tengah": ("Kalimantan Tengah", ("kalteng", "central kalimantan"), ("palangkaraya", "palangka raya", "kotawaringin")),
    "kalimantan_selatan": ("Kalimantan Selatan", ("kalsel", "south kalimantan"), ("banjarmasin", "banjarbaru")),
    "kalimantan_timur": ("Kalimantan Timur", ("kaltim", "east kalimantan"), ("samarinda", "balikpapan", "kutai", "bontang")),
    "kalimantan_utara": ("Kalimantan Utara", ("kaltara", "north kalimantan"), ("nunukan", "tarakan", "malinau", "bulungan")),
    "sulawesi_utara": ("Sulawesi Utara", ("sulut", "north sulawesi"), ("manado", "bitung", "minahasa")),
    "gorontalo": ("Gorontalo", (), ("pohuwato", "boalemo")),
    "sulawesi_tengah": ("Sulawesi Tengah", ("sulteng", "central sulawesi"), ("palu", "donggala", "poso", "banggai")),
    "sulawesi_barat": ("Sulawesi Barat", ("sulbar", "west sulawesi"), ("mamuju", "polewali mandar", "majene")),
    "sulawesi_selatan": ("Sulawesi Selatan", ("sulsel", "south sulawesi"), ("makassar", "parepare", "pare pare", "bulukumba", "sinjai", "wajo", "jeneponto", "pinrang", "sidrap", "gowa", "maros")),
    "sulawesi_tenggara": ("Sulawesi Tenggara", ("sultra", "southeast sulawesi"), ("kendari", "muna", "buton", "baubau", "bau bau", "kolaka", "bombana", "konawe")),
    "maluku": ("Maluku", (), ("ambon", "seram", "tual")),
    "maluku_utara": ("Maluku Utara", ("malut", "north maluku"), ("ternate", "tidore", "halmahera")),
    "papua": ("Papua", (), ("jayapura", "biak", "sarmi")),
    "papua_barat": ("Papua Barat", ("west papua",), ("manokwari", "fakfak", "kaimana")),
    "papua_barat_daya": ("Papua Barat Daya", ("southwest papua",), ("sorong", "raja ampat")),
    "papua_selatan": ("Papua Selatan", ("south papua",), ("merauke", "boven digoel")),
    "papua_tengah": ("Papua Tengah", ("central papua",), ("nabire", "timika", "mimika")),
    "papua_pegunungan": ("Papua Pegunungan", ("highland papua",), ("wamena", "jayawijaya")),
}
# fmt: on

_FUZZY_CUTOFF = 88  # "jatm" (89) is Jatim; "kampung" (86) is not Lampung
# Words a worker writes about home that are one letter from a place: never read as misspelt.
_NOT_PLACES = frozenset({"kampung", "kampong", "halaman", "tinggal", "rumah", "daerah", "pulau"})
# Words around a place name that name no place: "kabupaten Blitar", "prov. Jawa Timur".
_FILLER = re.compile(
    r"\b(?:provinsi|propinsi|prov|province|kabupaten|kab|kota|kec|kecamatan|desa|city|regency)\b"
)
# Informal writing glues "di"/"dari" to a place: "dijatim", "darilombok".
_GLUE = ("dari", "dr", "di", "asal")


def _norm(text: str) -> str:
    text = re.sub(r"[^a-z0-9 ]+", " ", text.lower())
    return " ".join(_FILLER.sub(" ", text).split())


ALIASES: dict[str, str] = {
    _norm(alias): province
    for province, (name, names, places) in PROVINCES.items()
    for alias in (name, province.replace("_", " "), *names, *places)
}
_LONGEST_FIRST = sorted(ALIASES, key=len, reverse=True)


def province_name(province: str) -> str:
    found = PROVINCES.get(province)
    return found[0] if found else province


def find_provinces(text: str) -> set[str]:
    """Every province the text names: exactly, as whole words, glued to "di"/"dari", or misspelt."""
    said = _norm(text)
    if not said:
        return set()
    if said in ALIASES:
        return {ALIASES[said]}
    found: set[str] = set()
    rest = f" {said} "
    for alias in _LONGEST_FIRST:  # "papua barat" before "papua"; a matched span is used up
        if f" {alias} " in rest:
            found.add(ALIASES[alias])
            rest = rest.replace(f" {alias} ", " | ")
    for token in rest.split():
        for glue in _GLUE:
            if token.startswith(glue) and token[len(glue) :] in ALIASES:
                found.add(ALIASES[token[len(glue) :]])
    if found:
        return found
    return _misspelt(said)


def _misspelt(said: str) -> set[str]:
    best = max(ALIASES, key=lambda alias: fuzz.ratio(said, alias))
    if said not in _NOT_PLACES and fuzz.ratio(said, best) >= _FUZZY_CUTOFF:
        return {ALIASES[best]}
    # One misspelt word of a longer answer ("asal indramyu"): only unambiguous hits count.
    hits = {
        ALIASES[alias]
        for token in said.split()
        if len(token) >= 4 and token not in _NOT_PLACES
        for alias in ALIASES
        if len(alias) >= 4 and fuzz.ratio(token, alias) >= _FUZZY_CUTOFF
    }
    return hits if len(hits) == 1 else set()
