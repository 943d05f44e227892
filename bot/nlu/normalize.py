"""Text normalisation for informal Indonesian (and English) before intent classification."""

from __future__ import annotations

import re
import unicodedata

# DOMAIN.md sec. 6 and common chat spellings; mapped to the standard word the data mostly uses.
# fmt: off
ABBREVIATIONS: dict[str, str] = {
    # pronouns
    "sy": "saya", "sya": "saya", "aq": "saya", "ak": "saya", "gw": "saya", "gue": "saya",
    "gua": "saya", "sa": "saya", "km": "kamu", "kmu": "kamu", "lu": "kamu", "loe": "kamu",
    "dia": "dia", "dy": "dia", "kt": "kita", "kami": "kami",
    # negation
    "ga": "tidak", "gak": "tidak", "gk": "tidak", "ngga": "tidak", "nggak": "tidak",
    "ndak": "tidak", "nda": "tidak", "tdk": "tidak", "tak": "tidak", "enggak": "tidak",
    "engga": "tidak", "kagak": "tidak", "gx": "tidak", "ngak": "tidak", "tdak": "tidak",
    "blm": "belum", "blum": "belum", "belom": "belum", "bkn": "bukan",
    # time and aspect
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "dah": "sudah", "uda": "sudah",
    "sudh": "sudah", "lg": "lagi", "msh": "masih", "masi": "masih", "sdg": "sedang",
    "skrg": "sekarang", "skr": "sekarang", "skrng": "sekarang", "kmrn": "kemarin",
    "kmarin": "kemarin", "bln": "bulan", "thn": "tahun", "th": "tahun", "hr": "hari",
    "mgg": "minggu", "mggu": "minggu", "jam": "jam", "bsk": "besok", "nnt": "nanti",
    # question words
    "gmn": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana", "bgmn": "bagaimana",
    "knp": "kenapa", "napa": "kenapa", "dmn": "dimana", "dmana": "dimana", "kpn": "kapan",
    "brp": "berapa", "brapa": "berapa", "sapa": "siapa", "sp": "siapa", "ap": "apa",
    "apakah": "apakah",
    # function words
    "yg": "yang", "tp": "tapi", "tpi": "tapi", "dgn": "dengan", "dg": "dengan",
    "utk": "untuk", "untk": "untuk", "buat": "buat", "krn": "karena", "krna": "karena",
    "karna": "karena", "jg": "juga", "sm": "sama", "sma": "sama", "dr": "dari", "dri": "dari",
    "pd": "pada", "kpd": "kepada", "trs": "terus", "trus": "terus", "klo": "kalau",
    "kalo": "kalau", "kl": "kl", "aja": "saja", "aj": "saja", "doang": "saja", "bs": "bisa",
    "bsa": "bisa", "hrs": "harus", "mo": "mau", "mw": "mau", "pengen": "ingin", "pgn": "ingin",
    "pingin": "ingin", "bnyk": "banyak", "byk": "banyak", "bgt": "banget", "bngt": "banget",
    "sj": "saja", "dl": "dulu", "dlu": "dulu", "gpp": "tidak apa apa", "sdkt": "sedikit",
    "org": "orang", "tlg": "tolong", "tolongin": "tolong", "bantuin": "bantu", "ato": "atau",
    "atw": "atau", "emg": "memang", "emang": "memang", "bener": "benar", "bnr": "benar",
    "dpt": "dapat", "dapet": "dapat", "sampe": "sampai", "smpe": "sampai", "smp": "sampai",
    "gt": "gitu", "gtu": "gitu", "bgitu": "begitu", "gini": "begini",
    # domain
    "mjkn": "majikan", "majikn": "majikan", "agn": "agen", "agensi": "agensi",
    "pasport": "paspor", "pspr": "paspor", "kntrk": "kontrak", "kontrk": "kontrak",
    "gj": "gaji", "gajih": "gaji", "kbri": "kbri", "kjri": "kjri",
    # thanks / greetings / yes-no
    "makasih": "terima kasih", "mksh": "terima kasih", "makasi": "terima kasih",
    "trims": "terima kasih", "trmksh": "terima kasih", "tq": "thank you", "ty": "thank you",
    "thx": "thanks", "tx": "thanks", "thanx": "thanks", "ass": "assalamualaikum",
    "askum": "assalamualaikum", "mlm": "malam", "pgi": "pagi", "siang": "siang",
    "iy": "iya", "iyaa": "iya", "y": "ya", "ok": "ok", "oke": "ok", "okey": "ok", "okay": "ok",
    "maf": "maaf", "mf": "maaf", "mav": "maaf",
    # English chat
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "pliss": "please",
    "plis": "please", "im": "i am", "dont": "do not", "cant": "cannot", "wont": "will not",
    "didnt": "did not", "doesnt": "does not", "havent": "have not", "isnt": "is not",
    "r": "are", "b4": "before", "bc": "because", "coz": "because", "cuz": "because",
    "gtg": "got to go", "g2g": "got to go", "ttyl": "talk to you later", "idk": "i do not know",
    "dunno": "do not know", "wanna": "want to", "gonna": "going to", "gotta": "got to",
    "hv": "have", "abt": "about", "bcoz": "because", "becoz": "because", "wat": "what",
    "wht": "what", "hw": "how", "tmr": "tomorrow", "tmrw": "tomorrow", "msg": "message",
    "sal": "salary", "emp": "employer", "ppl": "people", "yr": "year", "yrs": "years",
    "mth": "month", "mths": "months", "wk": "week", "wks": "weeks",
    # English contractions written without the apostrophe (with it: _contraction below)
    "hasnt": "has not", "hadnt": "had not", "wasnt": "was not", "werent": "were not",
    "arent": "are not", "couldnt": "could not", "shouldnt": "should not",
    "wouldnt": "would not", "mustnt": "must not", "aint": "is not", "youre": "you are",
    "theyre": "they are", "thats": "that is", "whats": "what is", "ive": "i have",
    "theyve": "they have", "hes": "he is", "shes": "she is",
    # more chat spellings of Indonesian
    "aku": "saya", "ngk": "tidak", "nggk": "tidak", "kgk": "tidak",
    "gamau": "tidak mau", "gkmau": "tidak mau", "gmau": "tidak mau", "gabisa": "tidak bisa",
    "gkbisa": "tidak bisa", "gbisa": "tidak bisa", "gaboleh": "tidak boleh",
    "gkboleh": "tidak boleh", "gatau": "tidak tahu", "gktau": "tidak tahu",
    "gatahu": "tidak tahu", "tau": "tahu", "taw": "tahu", "tw": "tahu", "blom": "belum",
    "blon": "belum", "lom": "belum", "sdah": "sudah", "udhh": "sudah", "dh": "sudah",
    "gmna": "bagaimana", "gmn2": "bagaimana", "gimna": "bagaimana", "bgmana": "bagaimana",
    "knapa": "kenapa", "kenpa": "kenapa", "dmna": "dimana", "dimna": "dimana",
    "kmn": "kemana", "kmana": "kemana", "tlng": "tolong", "tlong": "tolong",
    "tulung": "tolong", "bgd": "banget", "bgtt": "banget", "bngd": "banget", "jd": "jadi",
    "jdi": "jadi", "sbg": "sebagai", "smua": "semua", "sblm": "sebelum", "stlh": "setelah",
    "cm": "cuma", "cma": "cuma", "krj": "kerja", "kerjo": "kerja", "ksh": "kasih",
    "kasi": "kasih", "dikasi": "dikasih", "ortu": "orang tua", "bpk": "bapak",
    "bhs": "bahasa", "bhsa": "bahasa", "bahsa": "bahasa", "tgl": "tanggal",
    "mksih": "terima kasih", "mksi": "terima kasih", "mkasih": "terima kasih",
    "makasii": "terima kasih", "trimakasih": "terima kasih", "terimakasih": "terima kasih",
    "trmakasih": "terima kasih", "asalamualaikum": "assalamualaikum",
    "asslamualaikum": "assalamualaikum", "assalamu'alaikum": "assalamualaikum",
    "assalamualaikom": "assalamualaikum", "aslm": "assalamualaikum",
    "slmt": "selamat",
    # Malay forms used in Malaysia, Singapore and Brunei
    "nak": "mau", "nk": "mau", "kat": "di", "tk": "tidak", "xde": "tidak ada",
    "takde": "tidak ada", "tiada": "tidak ada", "ape": "apa", "kenape": "kenapa",
    "camne": "bagaimana", "camana": "bagaimana", "mcm": "macam", "saye": "saya",
    "kerje": "kerja", "keje": "kerja", "sikit": "sedikit", "tengok": "lihat", "tgk": "lihat",
    "cakap": "bicara", "ckp": "bicara", "padam": "hapus", "maklumat": "informasi", "peribadi": "pribadi",
    "bile": "kapan", "pasal": "tentang", "petang": "sore",
    # Javanese forms
    "ora": "tidak", "mboten": "tidak", "durung": "belum", "wis": "sudah",
    "uwis": "sudah", "wes": "sudah", "piye": "bagaimana", "kepiye": "bagaimana",
    "opo": "apa", "kulo": "saya", "sampeyan": "kamu", "njenengan": "kamu",
    "panjenengan": "kamu", "mulih": "pulang", "duwit": "duit", "suwun": "terima kasih",
    "maturnuwun": "terima kasih", "nuwun": "terima kasih", "arep": "mau", "kudu": "harus",
    "saiki": "sekarang", "wae": "saja",
}
# fmt: on

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")
# "can't", "won't", "i'm", "they've", "employer's": the words the data spells out.
_IRREGULAR = {"can't": "cannot", "won't": "will not", "shan't": "shall not", "let's": "let us"}
_ENDINGS = (("n't", " not"), ("'m", " am"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"),
            ("'d", " would"))  # fmt: skip
# After these, 's is "is"; after any other word a possessive, dropped.
_IS = frozenset({"it", "that", "what", "there", "he", "she", "who", "where", "here", "how"})
_REPEAT = re.compile(r"([a-z])\1{2,}")
# Indonesian reduplication written with a digit: "anak2" -> "anak anak".
_REDUP = re.compile(r"\b([a-z]{2,})2\b")


def fold(text: str) -> str:
    """Lowercase and drop accents (NFKD), keeping only ASCII-compatible letters where possible."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lowercased, de-elongated, abbreviation-expanded text; tokens separated by single spaces."""
    folded = _REDUP.sub(r"\1 \1", _REPEAT.sub(r"\1", fold(text)))
    words: list[str] = []
    for token in _TOKEN.findall(folded):
        if "'" in token:
            token = _contraction(token)
        words.append(ABBREVIATIONS.get(token, token))
    return " ".join(words)


def _contraction(token: str) -> str:
    """ "can't" -> "cannot", "i'm" -> "i am", "it's" -> "it is", "employer's" -> "employer"."""
    if token in _IRREGULAR:
        return _IRREGULAR[token]
    for ending, full in _ENDINGS:
        if token.endswith(ending):
            return token[: -len(ending)] + full
    if token.endswith("'s"):
        head = token[:-2]
        return f"{head} is" if head in _IS else head
    return token
