"""Signs of danger: they jump to the emergency reply (or, for self-harm, the crisis reply)
whatever the classifier says.

A message is read clause by clause ("gaji blm dibayar, hp diambil, gk boleh keluar rumah"),
after normalising informal spellings (bot.dialogue.danger_words). Each rule knows the word
forms of its roots and what makes a look-alike harmless: a negation ("gk pernah mukul"), a
thing instead of a person ("kunci motor", "dijual murah hp bekas"), a question about the rules
("can my boss keep my phone?"), an accident ("lupa bawa kunci"). Deliberately broad: a false
alarm costs one extra message, a miss can cost a life.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.dialogue.danger_words import clauses, inflected, stems


class DangerKind(StrEnum):
    EMERGENCY = "emergency"  # someone is hurting, holding or threatening the worker
    CRISIS = "crisis"  # the worker writes of ending their life or hurting themselves


@dataclass(frozen=True)
class Danger:
    kind: DangerKind
    cue: str  # which sign was seen, e.g. "confined", "self_harm", "intent:emergency" (for logs)


Clause = Sequence[str]

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
                    "tanah", "emas", "laptop", "car", "bike", "bag", "screen", "account",
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
_ABUSE_NOW = frozenset({"sekarang", "now", "lagi", "masih", "still", "tolong", "help"})
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
SEXUAL = ("perkosa", "cabul", "raba", "grepe", "leceh", "remas", "gerayang", "jamah", "merkosa",
          "setubuh", "sodomi", "perkosaan")
TAKE = ("ambil", "sita", "rampas", "tahan", "simpan", "simpen", "pegang", "sembunyi",
        "sembunyikan", "umpet", "kuasai", "sembunyiin")
# fmt: on

_EN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cue, re.compile(pattern))
    for cue, pattern in (
        (
            "confined",
            r"\block(?:s|ed|ing)? (?:me|us|her|him|them)(?: up| in|side| inside)?\b"
            r"|\blocked (?:up|in|inside)\b|\bkeeps? (?:me|us) (?:locked|inside|in)\b"
            r"|\b(?:not|never) (?:be )?(?:allowed|permitted) to (?:go|leave|get|step)\b"
            r"|\b(?:won't|will not|doesn't|does not|don't|do not|never|not) let (?:me|us) "
            r"(?:go|leave|out|get)\b|\bcan ?not (?:leave|get out|go out|escape)\b"
            r"|\bcan't (?:leave|get out|go out|escape)\b|\btrapped\b|\bheld captive\b"
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
            r"\bsold (?:me|us|her|him|them|my (?:friend|sister|daughter|wife|cousin))\b"
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
            r"|\bstarv(?:es|ed|ing) (?:me|us)\b",
        ),
        (
            "violence_now",
            r"\b(?:beat|beats|hit|hits|kick|kicks|slap|slaps|punch|punches|hurt|hurts|"
            r"attack|attacks)(?:ing)? (?:me|us)\b(?! (?:before|last|once|yesterday))"
            r"|\b(?:is|are|keeps?) (?:hitting|beating|attacking|hurting|kicking) (?:me|us)",
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
            r"|\b(?:not|un)safe (?:here|now|at home)\b|\bplease save me\b|\bsave me\b",
        ),
    )
)

_EN_CRISIS = re.compile(
    r"\bkill(?:ing)? myself\b|\bsuicid\w*|\bend(?:ing)? my (?:own )?life\b|\bend it all\b"
    r"|\btake my (?:own )?life\b|\b(?:don't|do not|dont|no longer) (?:want|wanna) (?:to )?"
    r"(?:live|be alive|exist|wake up)\b|\b(?:want|wanna|wish i could|going to) (?:to )?die\b"
    r"|\bwish i (?:was|were) dead\b|\bbetter off (?:dead|without me)\b"
    r"|\bno (?:reason|point) (?:to|in) (?:keep )?(?:living|live|going on)\b"
    r"|\b(?:hurt(?:ing)?|cut(?:ting)?|harm(?:ing)?|burn(?:ing)?|starv(?:e|ing)) myself\b|\bself[- ]?harm\w*|\bnot worth living\b"
    r"|\btired of (?:living|life|being alive)\b|\bcan't go on\b|\bcannot go on\b"
    r"|\bgive up on life\b|\boverdose\b"
)
_ID_CRISIS = re.compile(
    r"\bbunuh diri\b|\bbundir\b|\bgantung diri\b|\b(?:meng|ng)?akhir(?:i|in)? (?:hidup|nyawa)"
    r"|\b(?:ingin|mau|lebih baik|rasanya|rasa|biar|kayaknya) (?:saya |saja )?(?:mati|mokong|modar)"
    r"(?! (?:lampu|listrik|gaya|rasa|kutu|kelaparan|hp|mesin|motor|suri|angin))\b"
    r"|\b(?:capek|bosan|muak|jenuh|putus asa) (?:saya )?(?:hidup|idup|menjalani hidup)\b"
    r"|\b(?:tidak|ga) (?:mau|ingin|kuat) (?:hidup|lanjut hidup)\b(?! (?:boros|hemat|mewah|"
    r"sederhana|sehat|enak|tenang|foya|miskin|susah|bebas|sendiri))|\bbuat apa (?:saya )?hidup\b"
    r"|\b(?:tidak|ga) ada gunanya (?:saya )?hidup\b|\b(?:lebih baik|ingin) (?:saya )?(?:tidak ada|hilang)"
    r"(?: (?:saja|dari dunia|di dunia))?\b|\b\w*(?:sakit|luka|sayat|silet)\w* (?:diri|tangan) "
    r"(?:saya )?sendiri\b|\b(?:me|m|ny|n)?(?:nyakit|lukai|lukain|nyayat|sayat|silet)\w* diri\b"
    r"|\bminum racun\b|\bsilet (?:tangan|nadi)\b|\bpotong nadi\b|\bsudah tidak kuat hidup\b"
)
_SOFT_CRISIS = re.compile(
    r"\b(?:mati|modar|hidup|nyawa|udahan|nyerah|menyerah|putus asa|racun|silet|sayat|loncat|"
    r"lompat|gantung|tali|die|dying|dead|death|live|living|life|alive|kill|killing|end|ending|"
    r"disappear|gone|hurt|hurting|cut|cutting|pills|jump|hang|rope|goodbye|perpisahan|pamit|"
    r"kuat|tahan|sanggup|bangun|wake|lenyap|hilang)\b"
)
_HARMLESS = re.compile(
    r"\b(?:mati|padam) (?:lampu|listrik|gaya|rasa|kutu|angin|suri|total)\b|\bmatiin\b"
    r"|\b(?:lampu|listrik|hp|motor|mobil|mesin|laptop|baterai|batre|tv|wifi|kulkas|ac|sinyal|"
    r"ikan|anjing|kucing|ayam|burung|tanaman|bunga|pohon|nyamuk|kecoa|tikus|semut)\b"
    r"(?: \w+){0,3} (?:mati|meninggal)\b|\bsemangat hidup\b"
    r"|\bhidup (?:boros|hemat|mewah|sederhana|sehat|enak|tenang|foya|bebas)\b"
    r"|\b(?:is|are|was|were) killing me\b|\bwould die for\b|\bdying (?:to|for|my|her|of)\b"
    r"|\bdead (?:tired|serious)\b|\b(?:phone|battery|laptop|plant|plants|fish|dog|cat|bird|"
    r"flower|flowers|car|bike)(?: \w+){0,2} (?:died|dead|dies)\b"
    r"|\bkill(?:ing|ed)? (?:time|it|cockroach\w*|mosquito\w*|bugs|germs)\b"
    r"|\blocked myself out\b"
)
# fmt: on


def detect(text: str, intent: str | None = None) -> Danger | None:
    """The danger a message shows, if any. `intent` is the classifier's guess (None inside a
    complaint flow, where only explicit signs count)."""
    parts = clauses(text)
    if _crisis(parts):
        return Danger(DangerKind.CRISIS, "self_harm")
    for clause in parts:
        cue = _emergency(clause)
        if cue is not None:
            return Danger(DangerKind.EMERGENCY, cue)
    # The classifier's guess catches wordings no rule knows, but it also hears "mati lampu" or
    # "my back is killing me" as self-harm: its guess counts only with a word of dying, ending
    # or hurting, outside the harmless sayings.
    line = " ".join(" ".join(c) for c in parts)
    if intent == "self_harm" and _SOFT_CRISIS.search(line) and not _HARMLESS.search(line):
        return Danger(DangerKind.CRISIS, "intent:self_harm")
    if intent == "emergency":
        return Danger(DangerKind.EMERGENCY, "intent:emergency")
    # Abuse the classifier recognised, told as happening now ("majikan masih pukul saya").
    words = set(line.split())
    if intent == "abuse_violence" and words & _ABUSE_NOW and not words & (SAFE_NOW | ACCIDENT):
        return Danger(DangerKind.EMERGENCY, "intent:abuse_violence+now")
    return None


def in_danger(text: str, intent: str | None) -> bool:
    return detect(text, intent) is not None


# Crisis --------------------------------------------------------------------------------------


def _crisis(parts: Sequence[Clause]) -> str | None:
    for clause in parts:
        line = " ".join(clause)
        found = _ID_CRISIS.search(line) or _EN_CRISIS.search(line)
        if found is None:
            continue
        before = line[: found.start()].split()[-3:]
        if any(w in NEG for w in before) and not _negation_inside(found.group(0)):
            continue  # "gk pernah kepikiran bunuh diri", "I would never kill myself"
        if any(w in MEDIA for w in clause):
            continue
        return "self_harm"
    return None


def _negation_inside(cue: str) -> bool:
    return any(w in NEG for w in cue.split())


# Emergency -----------------------------------------------------------------------------------


def _emergency(clause: Clause) -> str | None:
    if any(w in MEDIA for w in clause):
        return None
    line = " ".join(clause)
    asking = _asking(clause)
    for cue, rule in _ID_RULES:
        if (not asking or cue in _EVEN_ASKED) and rule(clause):
            return cue
    for cue, pattern in _EN_RULES:
        found = pattern.search(line)
        if found is None or (asking and cue not in _EVEN_ASKED):
            continue
        if _negated(line[: found.start()].split()) and not _negation_inside(found.group(0)):
            continue
        if cue == "confined" and any(w in ACCIDENT for w in clause):
            continue
        if cue == "violence_now" and _only_past(clause):
            continue
        return cue
    return None


# A question about the rules ("boleh gk majikan simpan hp?") is not a report, except for these.
_EVEN_ASKED = frozenset({"threat_to_kill", "urgent", "sexual"})


def _asking(clause: Clause) -> bool:
    return bool(clause) and clause[0] in QUESTION and clause[:2] != ["can", "you"]


def _negated(before: Sequence[str]) -> bool:
    return any(w in NEG for w in before[-3:])


def _only_past(clause: Clause) -> bool:
    return any(w in PAST for w in clause) and not any(w in NOW for w in clause)


def _find(clause: Clause, roots: Sequence[str], *, deed: bool = True) -> int | None:
    """Index of the first word that is one of the roots (as a verb form when `deed`), not negated."""
    for i, word in enumerate(clause):
        for root in roots:
            if word == root and not deed:
                hit = True
            else:
                hit = inflected(word, root) if deed else root in stems(word)
            if hit and not _negated(clause[max(0, i - 3) : i]):
                return i
    return None


def _confined(clause: Clause) -> bool:
    words = set(clause)
    if words & (ACCIDENT | THINGS | PHONE) or (words & DOORS and words & SCHEDULE):
        return False
    if _find(clause, ("tahan",)) is not None and words & PERSON and not words & DOCS:
        return True  # "sy ditahan di penampungan"
    i = _find(clause, CONFINE)
    if i is None:
        # "kunci sy di kamar": the bare root with a person right after it is a deed too.
        i = next(
            (j for j, w in enumerate(clause[:-1]) if w in CONFINE and clause[j + 1] in PERSON),
            None,
        )
        if i is None or _negated(clause[max(0, i - 3) : i]):
            return False
    return True


def _not_let_out(clause: Clause) -> bool:
    """ "gk boleh keluar", "dilarang keluar", "tak bagi keluar", "ga dikasih keluar rumah"."""
    for i, word in enumerate(clause):
        if word not in ("keluar", "pergi", "pulang", "kabur"):
            continue
        before = clause[max(0, i - 4) : i]
        if any(inflected(w, "larang") or w == "larang" for w in before):
            return True
        if before[-2:] in (["tidak", "pernah"], ["never", "been"]) and word == "keluar":
            return True  # "udh 3 bln gk pernah keluar rumah"
        permit = [j for j, w in enumerate(before) if _permit(w)]
        if permit and any(w in NEG - {"belum"} for w in before[: permit[0]][-2:]):
            return word != "pulang" or "rumah" not in clause[i:]
    return False


def _permit(word: str) -> bool:
    return word in ("boleh", "bisa", "bagi", "oleh", "izin", "ijin") or any(
        inflected(word, r) for r in ("boleh", "izin", "ijin", "kasih", "bagi")
    )


def _phone_taken(clause: Clause) -> bool:
    if not any(w in PHONE for w in clause):
        return False
    if any(
        a in ("pas", "selama", "during", "jam", "waktu") and b in ("kerja", "work", "working")
        for a, b in zip(clause, clause[1:], strict=False)
    ):
        return False  # kept during working hours, given back after
    taken = _find(clause, TAKE) is not None or any(
        w in TAKE and nxt in PHONE for w, nxt in zip(clause, clause[1:], strict=False)
    )
    return taken and not any(
        w in ("dicuri", "dicopet", "hilang", "jatuh", "rusak", "mati", "stolen") for w in clause
    )


def _sold(clause: Clause) -> bool:
    words = set(clause)
    if words & {"diperdagangkan", "diperjualbelikan", "tppo"}:
        return True
    if "perdagangan" in words and "orang" in words and "korban" in words:
        return True
    if words & (THINGS | PHONE):
        return False
    for i, word in enumerate(clause):
        if word.startswith("dijual") and set(clause[:i]) & {"rumah", "tanah", "sawah", "kebun"}:
            return False
        after = clause[i + 1 : i + 3]
        if inflected(word, "jual") and (word.startswith("di") or any(w in PERSON for w in after)):
            return not _negated(clause[max(0, i - 3) : i])
        if word.startswith("dibeli") and ({"saya", "kami"} & set(clause[:i])):
            return True
        if word in ("jual", "beli") and any(w in PERSON for w in after):
            return not _negated(clause[max(0, i - 3) : i])
    return False


def _sexual(clause: Clause) -> bool:
    if _find(clause, SEXUAL, deed=False) is not None:
        return True
    touch = _find(clause, ("pegang", "sentuh", "raba", "elus", "cium", "peluk"), deed=False)
    if touch is None:
        return False
    near = clause[touch : touch + 5]
    doubled = touch + 1 < len(clause) and clause[touch + 1] in stems(clause[touch]) | {
        clause[touch]
    }
    return any(w in BODY for w in near) or (doubled and any(w in PERSON for w in clause))


def _forced_sex(clause: Clause) -> bool:
    return _find(clause, ("paksa",), deed=False) is not None and bool(
        set(clause) & {"tidur", "seks", "sex", "berhubungan", "ml", "begituan", "gituan", "cium"}
    )


def _tortured(clause: Clause) -> bool:
    return _find(clause, TORTURE) is not None and not _only_past(clause)


def _hit_now(clause: Clause) -> bool:
    return (
        _find(clause, HIT) is not None
        and any(w in NOW for w in clause)
        and not any(w in PAST for w in clause if w not in ("lalu",))
    )


def _threat_to_kill(clause: Clause) -> bool:
    for i, word in enumerate(clause):
        if "bunuh" in stems(word) or word == "bunuh":
            after = clause[i + 1 : i + 2]
            if after == ["diri"] or set(after) & PESTS or _negated(clause[max(0, i - 3) : i]):
                continue
            return True
    line = " ".join(clause)
    return "nyawa saya terancam" in line or "nyawa terancam" in line


def _urgent(clause: Clause) -> bool:
    words = set(clause)
    if words & {"sos"} or (words & {"darurat", "emergency", "gawat"} and not words & ASK_FOR_INFO):
        return True
    if "bahaya" in words and words & {"dalam", "saya", "kami"} and not words & ASK_FOR_INFO:
        return True
    if {"tidak", "aman"} <= words and words & {"sini", "sekarang", "rumah", "saya"}:
        return True
    if words & HELP and words & URGENT and not words & REPLYING:
        return True
    return any(a == b and a in HELP for a, b in zip(clause, clause[1:], strict=False))


def _ran_away_now(clause: Clause) -> bool:
    return "kabur" in clause and bool(set(clause) & {"sekarang", "lagi", "tolong", "malam"})


_ID_RULES: tuple[tuple[str, Callable[[Clause], bool]], ...] = (
    ("confined", _confined),
    ("confined", _not_let_out),
    ("phone_taken", _phone_taken),
    ("sold", _sold),
    ("sexual", _sexual),
    ("sexual", _forced_sex),
    ("torture", _tortured),
    ("violence_now", _hit_now),
    ("threat_to_kill", _threat_to_kill),
    ("urgent", _urgent),
    ("urgent", _ran_away_now),
)
