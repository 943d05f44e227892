"""The words behind danger detection: normalising informal spellings, splitting a message into
clauses, reducing Indonesian word forms to their roots (di-, ter-, me-/nasal, -in, -kan...), and
the lexicon: word sets and English/Indonesian patterns the rules use.

Kept apart from the rules (bot.dialogue.danger) so that a reader of the rules sees meanings,
not spelling variants.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.nlu.normalize import normalize

# Spellings bot.nlu.normalize leaves alone, mapped to one word the rules use. Malay and
# Javanese forms workers mix in are here too (ra/endak are negations, urip is hidup). The
# pronouns and negations normalize() maps too stay for _unglue, which maps a glued head
# ("sydikunci") itself.
# fmt: off
EXTRA: dict[str, str] = {
    "ra": "tidak", "gak": "tidak", "g": "tidak", "x": "tidak", "endak": "tidak", "tdk": "tidak",
    "kluar": "keluar", "klwr": "keluar", "metu": "keluar", "kluwar": "keluar", "hape": "hp",
    "handphone": "hp", "henpon": "hp", "hendpon": "hp", "ponsel": "hp", "hpku": "hp",
    "hpnya": "hp", "telpon": "hp", "telefon": "hp", "fon": "hp", "handfon": "hp", "cpt": "cepat",
    "cepet": "cepat", "cpet": "cepat", "buruan": "cepat", "segera": "cepat", "skrang": "sekarang",
    "sekrang": "sekarang", "urip": "hidup", "idup": "hidup", "hdp": "hidup", "ae": "saja",
    "je": "saja", "kepengen": "ingin", "pengin": "ingin", "kepingin": "ingin", "pgen": "ingin",
    "pngn": "ingin", "pen": "ingin", "takboleh": "tidak boleh", "tolonglah": "tolong",
    "sy": "saya", "aku": "saya", "aq": "saya", "gw": "saya", "awak": "saya", "aing": "saya",
    "cape": "capek", "capai": "capek", "lelah": "capek", "mending": "lebih baik",
    "mendingan": "lebih baik", "mnding": "lebih baik", "plss": "please", "kl": "kalau",
    "klu": "kalau", "lbh": "lebih", "lbih": "lebih", "blh": "boleh", "bole": "boleh",
    "bleh": "boleh", "dbolehin": "dibolehin", "ijinin": "izinkan",
}
# fmt: on

# Words a glued message starts with ("sydikunci", "akudikurung", "gkboleh").
_GLUED = ("saya", "sy", "aku", "aq", "gk", "ga", "gak", "tdk", "tak", "gw")

_SPLIT = re.compile(r"\s*(?:[,.;!?\n:()]+|\s(?:dan|tapi|tetapi|terus|lalu|trus|and|but|then)\s)\s*")

# Indonesian affixes, longest first. Prefixes of passive/active verbs, suffixes and clitics.
_PREFIXES = (
    "memper",
    "diper",
    "menge",
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "di",
    "ter",
    "ke",
    "nge",
    "ng",
    "ny",
    "pe",
    "pen",
    "peng",
    "per",
    "ber",
)
_SUFFIXES = ("nya", "kan", "in", "an", "i", "lah", "kah", "ku", "mu")
# A nasal prefix replaces a root's first sound: mukul = pukul, nyiksa = siksa, ngunci = kunci.
_NASAL = {"m": ("p", "b"), "n": ("t",), "ny": ("s", "c"), "ng": ("k", "")}


def words(text: str) -> list[str]:
    """Lowercased, abbreviations expanded, letters de-elongated, glued pronouns split."""
    out: list[str] = []
    for token in normalize(text).split():
        token = EXTRA.get(token, token)
        out.extend(_unglue(token).split())
    return out


def clauses(text: str) -> list[list[str]]:
    """The message cut where one statement ends and another begins (commas, "dan", "but")."""
    normal = " ".join(words(text))
    return [part.split() for part in _SPLIT.split(f" {normal} ") if part.strip()]


def _unglue(token: str) -> str:
    if len(token) < 7 or token in EXTRA:
        return token
    for head in _GLUED:
        rest = token[len(head) :]
        if token.startswith(head) and len(rest) >= 4 and rest[:2] in ("di", "te", "ga", "gk", "bo"):
            return f"{EXTRA.get(head, head)} {rest}"
    return token


@lru_cache(maxsize=4096)
def stems(word: str) -> frozenset[str]:
    """Every plausible root of an Indonesian word form (over-generates; roots are specific)."""
    found = {word}
    bare = {word}
    for suffix in _SUFFIXES:
        for w in list(bare):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                bare.add(w[: -len(suffix)])
    for w in list(bare):
        for prefix in _PREFIXES:
            if w.startswith(prefix) and len(w) - len(prefix) >= 3:
                rest = w[len(prefix) :]
                found.add(rest)
                for nasal, sounds in _NASAL.items():
                    if prefix.endswith(nasal) or prefix == nasal:
                        found.update(s + rest for s in sounds)
        for nasal, sounds in _NASAL.items():
            if w.startswith(nasal) and len(w) > len(nasal) + 2:
                found.update(s + w[len(nasal) :] for s in sounds)
    return frozenset(found | bare)


def inflected(word: str, root: str) -> bool:
    """The word is the root with a verb's affix (dikunci, ngunci, kunciin): a deed, not a noun."""
    return word != root and root in stems(word)


# The lexicon -------------------------------------------------------------------------------

# fmt: off
NEG = frozenset({"tidak", "bukan", "belum", "never", "not", "no", "don't", "dont", "didn't",
                 "doesn't", "isn't", "wasn't", "won't", "nobody", "jangan", "tanpa", "nothing",
                 "tdk", "gak", "ga", "gk", "tak", "ndak", "ora", "cannot", "can't"})
NOW = frozenset({"sekarang", "lagi", "sedang", "masih", "terus", "setiap", "tiap", "sering",
                 "selalu", "now", "still", "always", "keeps", "keep", "every", "everyday",
                 "daily", "again", "tonight", "malam", "hari", "barusan", "tadi", "right"})
PAST = frozenset({"kemarin", "dulu", "lalu", "pernah", "yesterday", "last", "ago", "before",
                  "used", "lama", "old", "former", "previous", "dahulu"})
SELF = frozenset({"saya", "kami", "kita", "i", "me", "we", "us", "my", "i'm", "im", "i've"})
PERSON = SELF | {"dia", "adik", "kakak", "teman", "temen", "anak", "istri", "suami", "ibu",
                 "her", "him", "them", "she", "he", "they", "friend", "sister", "daughter",
                 "wife", "mother", "orang", "pekerja", "pmi", "tkw", "tki"}
BODY = frozenset({"badan", "tubuh", "dada", "payudara", "paha", "pantat", "bokong", "kemaluan",
                  "toket", "susu", "body", "breast", "breasts", "chest", "thigh", "butt",
                  "private", "privates"})
PHONE = frozenset({"hp", "phone", "handphone", "mobile", "cellphone", "cell"})
# Things that are locked, sold or taken without anyone being in danger.
THINGS = frozenset({"motor", "mobil", "sepeda", "lemari", "koper", "laci", "layar", "akun",
                    "password", "pola", "sandi", "pin", "gembok", "baju", "barang", "bekas",
                    "online", "murah", "jualan", "dagangan", "tiket", "pulsa", "kue", "makanan",
                    "tanah", "emas", "gold", "jewelry", "jewellery", "laptop", "car", "bike", "bag", "screen", "account",
                    "stuff", "clothes", "ticket", "cheap", "used", "second", "secondhand",
                    "shop", "market", "toko", "pasar", "tv", "kulkas", "rumahnya"})
# Media: "film horor bunuh2an", "that movie about human trafficking".
MEDIA = frozenset({"film", "nonton", "drama", "sinetron", "game", "movie", "series", "novel",
                   "berita", "news", "cerita", "story", "video", "tiktok", "youtube", "lagu",
                   "song", "episode", "netflix", "kdrama"})
# An accident, not a captor: "dikunci pintunya krn sy lupa bawa kunci".
ACCIDENT = frozenset({"lupa", "ketinggalan", "kelupaan", "forgot", "forget", "accidentally",
                      "lol", "wkwk", "wkwkwk", "haha", "hehe"})
QUESTION = frozenset({"can", "may", "could", "is", "apakah", "bolehkah", "apa", "what",
                      "gimana", "bagaimana", "how", "berapa", "does", "do", "should", "kenapa",
                      "why", "are", "where", "who", "kemana", "dimana", "siapa", "mengapa"})
# "Now" for abuse the classifier recognised (the words the old detector used).
ABUSE_NOW = frozenset({"sekarang", "now", "lagi", "masih", "still", "tolong", "help"})
# The danger is over: "skrg udh pindah dan aman", "now i'm fine".
SAFE_NOW = frozenset({"aman", "safe", "fine", "pindah", "baru", "new", "pulang", "resolved"})
DOCS = frozenset({"paspor", "passport", "ktp", "dokumen", "document", "documents", "gaji",
                  "uang", "sertifikat", "ijazah", "kontrak", "visa", "salary", "money", "atm",
                  "iqama", "arc", "kartu", "card", "barang", "koper", "tas"})
PESTS = frozenset({"nyamuk", "kecoa", "tikus", "semut", "kutu", "lalat", "hama", "rumput",
                   "kuman", "virus", "bakteri", "waktu", "time", "ulat", "rayap", "serangga"})
DOORS = frozenset({"pintu", "gerbang", "pagar", "gate", "door", "asrama", "hostel"})
SCHEDULE = frozenset({"jam", "aturan", "peraturan", "rule", "rules", "curfew", "midnight"})
# A request for a quick answer, not for rescue: "min tolong cepat balas ya".
REPLYING = frozenset({"balas", "jawab", "reply", "respon", "respond", "tanya", "nanya", "info",
                      "question", "ask", "informasi", "dibalas", "bales"})
# An injury that says the violence is serious and recent.
INJURY = frozenset({"berdarah", "darah", "memar", "lebam", "bengkak", "patah", "pingsan",
                    "bleeding", "blood", "bruised", "bruises", "broken", "fainted", "unconscious"})
# A conditional or a "...gk sih?" question: "is it an emergency if my visa expires?".
CONDITIONAL = frozenset({"kalau", "jika", "apakah", "if", "whether", "sih"})
# The worker holds the key: a door locked at night is then no prison.
HOLDS_KEY = re.compile(
    r"\b(?:saya|i) (?:pegang|punya|bawa|have|hold|keep|got)(?: \w+)? (?:kunci|key)"
    r"|\b(?:kuncinya|kunci) (?:di|ada di|sama) saya\b"
)
HELP = frozenset({"tolong", "help", "bantu", "sos", "selamatkan", "save", "rescue"})
URGENT = frozenset({"sekarang", "cepat", "now", "quick", "quickly", "asap", "urgent", "fast",
                    "immediately", "hurry", "segera", "darurat", "emergency", "gawat"})
ASK_FOR_INFO = frozenset({"nomor", "nomer", "no", "number", "numbers", "contact", "kontak",
                          "hotline", "line", "telp", "call", "info", "alamat", "address",
                          "apa", "what", "berapa", "which", "ada", "list", "daftar"})

CONFINE = ("kunci", "kurung", "sekap", "gembok", "kerangkeng", "sandera", "culik", "ikat",
           "kurungin", "kuncikan")
HIT = ("pukul", "tampar", "tendang", "tonjok", "hajar", "gebuk", "jambak", "cekik", "injak",
       "tinju", "hantam", "sabet", "cambuk", "pecut", "sundut", "siram", "setrika", "bakar")
TORTURE = ("siksa", "aniaya", "sekap", "cambuk")
# A body in danger now: not breathing, chest pain, a fit, fainting (not when told as over).
MEDICAL_NOW = re.compile(
    r"\bcannot breathe\b|\bcan not breathe\b|\bchest pains?\b|\bseizures?\b|\bunconscious\b"
    r"|\bcoughing (?:up )?blood\b|\bvomiting blood\b|\bsesak (?:napas|nafas)\b"
    r"|\btidak bisa (?:napas|nafas|bernapas|bernafas)\b|\b(?:nyeri|sakit) dada\b|\bkejang\b"
    r"|\bmuntah darah\b|\bbatuk darah\b"
)
# Forced into sex work: "dipaksa melayani tamu laki2", "they say i must serve guests" in a
# house of girls; not a worker serving her employer's guests at a party.
SEX_WORK = re.compile(
    r"\bforced to (?:serve|sleep with|entertain)\b|\b(?:serve|sleep with|entertain) (?:male )?"
    r"(?:men|customers|clients)\b|\bsell (?:my|our) bod(?:y|ies)\b|\bprostitut\w*"
    r"|\bserve (?:the )?guests\b(?=.*\bgirls\b)|\bgirls\b(?=.*\bserve (?:the )?guests\b)"
    r"|\bdipaksa (?:melayani|layani|menemani|tidur)\b|\b(?:melayani|layani|menemani) (?:tamu )?"
    r"(?:laki|pria|om)\b|\bpsk\b|\bpelacur\w*|\bjual diri\b"
)
# Food withheld for days: "gk dikasih makan udh 2 hari", "they dont give me food".
STARVED = re.compile(
    r"\b(?:do not|does not|did not|never|will not) (?:give|gave|feed) (?:me|us) (?:any )?food\b"
    r"(?! allowance| money)|\bhave not eaten (?:for|in) (?:\d+|two|three|four|five|many|several) days\b"
    r"|\bno food (?:for|in) (?:\d+|two|three|many|several) days\b"
    r"|\btidak (?:dikasih|dikasi|diberi|dapat) makan\b(?=.*\b(?:hari|kemarin|seharian)\b)"
)
# Pushed or thrown at: a danger when it ends in a fall or an injury ("didorong sampe jatuh dr
# tangga", "lempar piring ke sy, kepala berdarah"), not a wheelchair pushed to the park.
PUSH = ("dorong", "lempar", "banting", "jorok", "jorokin")
PUSHED_EN = frozenset({"push", "pushed", "pushes", "shove", "shoved", "shoves", "threw", "throws",
                       "thrown", "slammed", "slams", "knocked"})
HARMED = frozenset({"jatuh", "terjatuh", "tangga", "kepala", "dinding", "tembok", "lantai",
                    "terbentur", "kebentur", "luka", "stairs", "staircase", "fell", "fall",
                    "head", "wall", "floor", "ground", "injured", "hurt"})
SEXUAL = ("perkosa", "cabul", "raba", "grepe", "leceh", "remas", "gerayang", "jamah", "merkosa",
          "setubuh", "sodomi", "perkosaan")
TAKE = ("ambil", "sita", "rampas", "tahan", "simpan", "simpen", "pegang", "sembunyi",
        "sembunyikan", "umpet", "kuasai", "sembunyiin")
# fmt: on

# "won't let me go to the doctor": care refused (intent health_care_refused), not confinement.
_NOT_TO_CARE = (
    r"(?! (?:to )?(?:see )?(?:the |a |any )?(?:doctor|clinic|hospital|dentist|medical|check))"
)
MEDICAL = frozenset({"dokter", "klinik", "rumah", "rs", "puskesmas", "berobat", "periksa", "doctor",
                     "clinic", "hospital", "dentist"})  # fmt: skip

EN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cue, re.compile(pattern))
    for cue, pattern in (
        (
            "confined",
            r"\block(?:s|ed|ing)? (?:me|us|her|him|them)(?: up| in|side| inside)?\b"
            r"|\blocked (?:up|in|inside)\b|\bkeeps? (?:me|us) (?:locked|inside|in)\b"
            r"|\b(?:not|never) (?:be )?(?:allowed|permitted) to (?:go|leave|get|step)\b"
            + _NOT_TO_CARE
            + r"|\b(?:won't|will not|doesn't|does not|don't|do not|never|not) let (?:me|us) "
            r"(?:go|leave|out|get)\b"
            + _NOT_TO_CARE
            + r"|\bcan ?not (?:leave|get out|go out|escape)\b"
            r"|\bcan't (?:leave|get out|go out|escape)\b|(?<!feel )(?<!feels )(?<!feeling )\btrapped\b"
            r"(?! in (?:a |an |my |this )?(?:bad |terrible |long )?(?:contract|job|debt|loan|situation|cycle|traffic))|\bheld captive\b"
            r"|\b(?:not|never) allow(?:s|ed|ing)? (?:me|us) (?:to )?(?:go|leave|get|out)\b"
            r"|\b(?:kidnapped|abducted|held hostage|tied up)\b",
        ),
        (
            "phone_taken",
            r"(?<!\bi )\b(?:took|take|takes|taken|confiscat\w*|seiz\w*|keeps?|kept|hid|hides|"
            r"smashed|broke) (?:away )?(?:my|our|her) (?:hand)?(?:phone|hp)\b"
            r"|\bphones? (?:was |were |is |are |got )?(?:taken|confiscated|seized)",
        ),
        (
            "sold",
            r"\bsold (?:me|us|him|them|my (?:friend|sister|daughter|wife|cousin))\b"
            r"|\bsold her\b(?! (?!to\b|off\b|into\b|again\b|as\b)\w)"
            r"|\b(?:i|we|she|he|they) (?:was|were|got|have been|has been) (?:sold|traded|bought)\b"
            r"|\bbought me\b|\btraffick(?:ed)\b|\bvictims? of (?:human )?trafficking\b",
        ),
        (
            "sexual",
            r"\brap(?:e|ed|es|ing)\b|\bmolest\w*|\bgrop\w*|\bsexually \w+"
            r"|\btouch(?:es|ed|ing)? (?:me|my (?:body|breast|chest|private|butt|thigh))"
            r"|\bforc(?:ed|es|ing) (?:himself|herself|me to (?:have sex|sleep|kiss))"
            r"|\bharass(?:es|ed|ing)? me\b|\bsleep with (?:him|her)\b",
        ),
        (
            "torture",
            r"\btortur\w*|\bburn(?:s|ed|t)? (?:me|my)\b|\bchok(?:es|ed|ing) me\b"
            r"|\bstarv(?:es|ed|ing) (?:me|us)\b|\bstrangl\w* (?:me|us)\b|\bstabb?(?:ed|ing|s)? me\b"
            r"|\btried to (?:kill|strangle|choke|burn|stab|drown) (?:me|us)\b",
        ),
        (
            "violence_now",
            r"\b(?:beat|beats|hit|hits|kick|kicks|slap|slaps|punch|punches|hurt|hurts|"
            r"attack|attacks)(?:ing)? (?:me|us)\b(?! (?:before|last|once|yesterday))"
            r"|\b(?:is|are|keeps?) (?:hitting|beating|attacking|hurting|kicking) (?:me|us)"
            r"|\b(?:slapped|hit|beat|beaten|kicked|punched|attacked|choked) (?:me|us)\b"
            r"(?=.*\b(?:today|this morning|tonight|just now|again|right now)\b)",
        ),
        (
            "threat_to_kill",
            r"\b(?:will|'ll|gonna|going to|wants? to|want to|try(?:ing|ied)? to|"
            r"threaten(?:s|ed|ing)? to|would|said (?:he|she|they) (?:will|would))"
            r" kill (?:me|us)\b|\bkill (?:me|us) if\b|\bthreat\w* (?:to kill|my life)"
            r"|\bfear for my life\b|\bafraid (?:he|she|they)(?:'ll| will) kill",
        ),
        (
            "urgent",
            r"\bhelp (?:me )?(?:now|quick|asap|fast|urgent|immediately|please now)\b"
            r"|\bhelp help\b|\b(?:i'm|i am|im|we are|we're) in danger\b"
            r"|\b(?:not|un)safe (?:here|now|at home)\b|\bplease save me\b|\bsave me\b"
            r"|\b(?:call|get|send) (?:the )?police\b",
        ),
    )
)

EN_CRISIS = re.compile(
    r"\bkill(?:ing)? myself\b|\bsuicid\w*|\bend(?:ing)? my (?:own )?life\b|\bend it all\b"
    r"|\btake my (?:own )?life\b|\b(?:don't|do not|dont|no longer) (?:want|wanna) (?:to )?"
    r"(?:live|be alive|exist|wake up)\b|\b(?:want|wanna|wish i could|going to) (?:to )?die\b"
    r"|\bwish i (?:was|were) dead\b|\bbetter off (?:dead|without me)\b"
    r"|\bno (?:reason|point) (?:to|in) (?:keep )?(?:living|live|going on)\b"
    r"|\b(?:hurt(?:ing)?|cut(?:ting)?|harm(?:ing)?|burn(?:ing)?|starv(?:e|ing)) myself\b|\bself[- ]?harm\w*|\bnot worth living\b"
    r"|\b(?:will|'ll|gonna|going to|want to|wanna) jump (?:off|from|out of)\b"
    r"|\bbetter (?:if|that) i (?:am|was|were|'m) dead\b|\bbetter dead\b"
    r"|\btired of (?:living|life|being alive)\b|\bcan't go on\b|\bcannot go on\b"
    r"|\bgive up on life\b|\boverdose\b"
)
ID_CRISIS = re.compile(
    r"\bbunuh diri\b|\bbundir\b|\bgantung diri\b|\b(?:meng|ng)?akhir(?:i|in)? (?:hidup|nyawa)"
    r"|\b(?:ingin|mau|lebih baik|rasanya|rasa|biar|kayaknya) (?:saya |saja )?(?:mati|mokong|modar)"
    r"(?! (?:lampu|listrik|gaya|rasa|kutu|kelaparan|hp|mesin|motor|suri|angin))\b"
    r"|\b(?:capek|bosan|muak|jenuh|putus asa) (?:saya )?(?:hidup|idup|menjalani hidup)\b"
    r"|\b(?:tidak|ga) (?:mau|ingin|kuat) (?:hidup|lanjut hidup)\b(?! (?:boros|hemat|mewah|"
    r"sederhana|sehat|enak|tenang|foya|miskin|susah|bebas|sendiri))|\bbuat apa (?:saya )?hidup\b"
    r"|\b(?:tidak|ga) ada gunanya (?:saya )?hidup\b|\b(?:lebih baik|ingin) (?:saya )?(?:tidak ada|hilang)"
    r"(?: (?:saja|dari dunia|di dunia))?\b|\b\w*(?:sakit|luka|sayat|silet|nyilet|nyayat)\w* (?:diri|tangan) "
    r"(?:saya )?sendiri\b|\b(?:me|m|ny|n)?(?:nyakit|lukai|lukain|nyayat|sayat|silet)\w* diri\b"
    r"|\b(?:mau|ingin|lebih baik) (?:loncat|lompat|terjun) (?:dari|ke)\b(?! (?:kolam|air|sungai buat))"
    r"|\bminum racun\b|\bsilet (?:tangan|nadi)\b|\bpotong nadi\b|\bsudah tidak kuat hidup\b"
    r"|\blebih baik (?:saya )?tidak (?:usah|perlu) (?:hidup|ada|lahir)\b"
)
SOFT_CRISIS = re.compile(
    r"\b(?:mati|modar|hidup|nyawa|udahan|nyerah|menyerah|putus asa|racun|silet|sayat|loncat|"
    r"lompat|gantung|tali|die|dying|dead|death|live|living|life|alive|kill|killing|end|ending|"
    r"disappear|gone|hurt|hurting|cut|cutting|pills|jump|hang|rope|goodbye|perpisahan|pamit|"
    r"kuat|tahan|sanggup|bangun|wake|lenyap|hilang)\b"
)
# Something that is not a person dies or goes off: "hp sy mau mati", "mati lampu".
THING_DIES = re.compile(
    r"\b(?:mati|padam) (?:lampu|listrik|gaya|rasa|kutu|angin|suri|total)\b|\bmatiin\b"
    r"|\b(?:lampu|listrik|hp|motor|mobil|mesin|laptop|baterai|batre|batere|tv|wifi|kulkas|ac|"
    r"sinyal|ikan|anjing|kucing|ayam|burung|tanaman|bunga|pohon|nyamuk|kecoa|tikus|semut)\b"
    r"(?: \w+){0,3} (?:mati|meninggal)\b"
)
HARMLESS = re.compile(
    THING_DIES.pattern + r"|(?<!tidak punya )(?<!tidak ada )(?<!hilang )\bsemangat hidup\b"
    r"|\bhidup (?:boros|hemat|mewah|sederhana|sehat|enak|tenang|foya|bebas)\b"
    # The cost of living: "hidup di hk mahal ya", "biaya hidup", "cost of living".
    r"|\bhidup (?:di \w+ )?(?:mahal|murah)\b|\bbiaya hidup\b|\bcost of living\b|\bliving costs?\b"
    r"|\b(?:is|are|was|were) killing me\b|\bwould die for\b|\bdying (?:to|for|my|her|of)\b"
    r"|\bdead (?:tired|serious)\b|\b(?:phone|battery|laptop|plant|plants|fish|dog|cat|bird|"
    r"flower|flowers|car|bike)(?: \w+){0,2} (?:died|dead|dies)\b"
    r"|\bkill(?:ing|ed)? (?:time|it|cockroach\w*|mosquito\w*|bugs|germs)\b"
    r"|\blocked myself out\b"
    r"|^mati saya\b(?=.*\b(?:lupa|ketinggalan|telat|kesiangan|wkwk\w*|haha\w*)\b)"
)
# fmt: on
