"""The words workers use to steer a flow and to answer yes or no, in both languages."""

from __future__ import annotations

import re
import unicodedata

# fmt: off
YES = frozenset({
    "ya", "iya", "iyah", "iy", "y", "yes", "yess", "yup", "yep", "yeah", "betul", "benar", "bener",
    "ok", "oke", "okay", "okey", "sip", "siap", "boleh", "setuju", "mau", "sure", "correct",
    "right", "true", "agree", "ada", "masih", "sudah", "udah", "udh", "sdh", "pernah",
    "yoi", "gpp", "gapapa", "absolutely", "yeap", "aman", "betol", "bnr", "btl",
    "okk", "sipp", "yaps",
})
NO = frozenset({
    "tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "ndak", "nda",
    "kagak", "no", "nope", "n", "nggk", "bukan", "bkn", "belum", "blm", "jangan", "not",
    "never", "false", "disagree", "none", "kaga", "ngak", "belom", "blom", "nah", "gx", "tdak",
})
# "gak papa", "tidak masalah": a no-word that says yes.
NO_MATTER = frozenset({"apa", "papa", "apa2", "masalah", "masalah2", "problem", "worries"})
BACK = frozenset({
    "kembali", "back", "balik", "mundur", "sebelumnya", "go back", "previous", "undo",
    "kembali ke sebelumnya", "pertanyaan sebelumnya",
})
SKIP = frozenset({"lewati", "lewat", "skip", "lompati", "lompat", "next question", "pass"})
UNKNOWN = frozenset({
    "tidak tahu", "tdk tahu", "tidak tau", "gak tau", "gak tahu", "ga tau", "ga tahu", "gatau",
    "gk tau", "nggak tahu", "ngga tau", "enggak tau", "tidak ingat", "lupa", "gak ingat",
    "dont know", "don t know", "i dont know", "i don t know", "not sure", "idk", "no idea",
    "tidak yakin", "kurang tahu", "belum tahu", "tidak tau juga", "gk tahu", "ngga tahu",
    "nggak tau", "enggak tahu", "ndak tahu", "ndak tau", "tdk tau", "gktau",
    "ngak tau", "ngak tahu", "kagak tau", "kurang tau", "belum tau", "lupa lagi", "sudah lupa",
    "udah lupa", "sy lupa", "saya lupa", "saya tidak tahu", "sy gk tau", "sy ga tau",
    "saya gak tau", "saya tidak ingat", "gak inget", "ga inget", "nggak inget", "tidak hafal",
    "gak hafal", "dunno", "i dunno", "i m not sure", "im not sure", "i forgot", "forgot",
    "i don t remember", "i dont remember", "don t remember", "dont remember", "no clue",
    "unknown", "i have no idea", "not known",
})
NONE = frozenset({
    "tidak ada", "gak ada", "ga ada", "nggak ada", "ngga ada", "tdk ada", "gk ada", "none",
    "nothing", "no one", "nobody", "tidak punya", "gak punya", "nope",
})
CANCEL = frozenset({
    "batal", "batalkan", "cancel", "stop", "berhenti", "gak jadi", "ga jadi", "tidak jadi",
    "nggak jadi", "quit", "exit", "keluar", "stop report", "batalkan laporan",
})
HELP = frozenset({
    "?", "??", "bantuan", "help", "maksudnya", "maksudnya apa", "apa maksudnya",
    "what do you mean", "i dont understand", "i don t understand", "gak ngerti",
    "tidak mengerti", "ga ngerti", "nggak ngerti", "bingung", "tidak paham", "gak paham",
    "contoh", "example", "contohnya",
})
DONE = frozenset({
    "selesai", "sudah", "udah", "udh", "sdh", "done", "finish", "finished", "cukup",
    "itu saja", "itu aja", "that s all", "thats all", "no more", "tidak ada lagi",
    "gak ada lagi", "sudah semua", "sudah selesai", "udah semua",
})
SEND = frozenset({
    "kirim", "kirimkan", "send", "submit", "send it", "kirim laporan", "send report",
    "sudah benar", "benar semua", "sudah betul", "all correct", "correct", "ok kirim",
})
RESUME = frozenset({
    "lanjut", "lanjutkan", "continue", "resume", "teruskan", "lanjut laporan",
    "continue report", "lanjutkan laporan",
})
CHANGE = frozenset({
    "ubah", "ganti", "koreksi", "perbaiki", "edit", "change", "correct it", "salah", "fix",
    "ada yang salah", "something is wrong", "change an answer", "ubah jawaban",
})
# Small talk, said as such: inside a flow these are not taken from the classifier's guess.
SMALL_TALK = frozenset({
    "halo", "hallo", "hai", "hi", "hello", "helo", "assalamualaikum", "permisi", "pagi",
    "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "halo kak", "hai kak",
    "makasih", "terima kasih", "terimakasih", "trims", "thanks", "thank you", "thx", "tq",
    "ok makasih", "makasih kak", "terima kasih kak", "bye", "dadah", "sampai jumpa",
    "see you", "goodbye", "good bye",
})
ANONYMOUS = frozenset({"anonim", "anonymous", "tanpa nama", "tidak pakai nama", "without name"})
# fmt: on


_LATER = re.compile(
    r"\b(?:batal\w*|cancel\w*|stop|berhenti|hentikan|udahan|sudahi|jadi|jd|nanti|nnti|ntar"
    r"|usah|lain\s+kali|jangan|jgn|keluar|tunda\w*|dulu|later|quit|exit|pause|not\s+now)\b",
    re.I,
)


def says_later(text: str) -> bool:
    """ "nanti aja", "gak jadi", "stop dulu": words that stop or delay a report. The classifier
    alone is not enough inside a flow ("Jeddah" once read as "cancel")."""
    return bool(_LATER.search(norm(text)))


_FIX_OPENING = re.compile(
    r"^(?:(?:eh|eh+|ehm|maaf|sorry|sori|oops|ups|salah|wrong|ralat|koreksi|correction|i\s+mean"
    r"|maksud\s*(?:nya|saya|sy)?|it\s*'?s|its|it\s+is|tadi|yang\s+benar|yg\s+bener)[\s,.:!-]*)+",
    re.I,
)
_NOT_BUT = re.compile(
    r"^(?:bukan|bkn|not)\s+(?P<old>.+?)[\s,]+(?:tapi|tp|tetapi|but|melainkan)\s+(?P<new>.+)$", re.I
)
_BUT_NOT = re.compile(
    r"^(?P<new>.+?)[\s,]+(?:bukan|bkn|not|instead\s+of)\s+(?P<old>.+?)[.!]*$", re.I
)


def fix(text: str) -> tuple[str, str] | None:
    """(new, old) in a correction: "eh salah, 5 bulan bukan 4", "bukan 4 bulan tapi 5",
    "sorry, it's 5 months not 4"."""
    said = _FIX_OPENING.sub("", " ".join(text.split())).strip(" .!")
    for pattern in (_NOT_BUT, _BUT_NOT):
        if match := pattern.match(said):
            new, old = match.group("new").strip(" ,.!"), match.group("old").strip(" ,.!")
            if new and old:
                return new, old
    return None


def opens_with_small_talk(text: str) -> bool:
    """ "halo", "hai kak, masih ada?": a greeting, thanks or goodbye said in its first words."""
    tokens = norm(text).split()
    return any(" ".join(tokens[:n]) in SMALL_TALK for n in (1, 2, 3))


_REPORT = re.compile(
    r"\b(?:lapor|melapor|laporkan|ngadu|mengadu|adukan|pengaduan|aduan|komplain|complain"
    r"|complaint|report)\b",
    re.I,
)
_CORRECT = re.compile(
    r"^(?:ubah|ganti|koreksi|perbaiki|edit|change|correct|fix|salah|nomor|nomer|no|number)?"
    r"\s*(\d{1,2})$"
)
_QUESTION = re.compile(
    r"\?\s*$|^(?:apa|apakah|bagaimana|gimana|bgmn|gmn|kenapa|knp|bisakah|bisa\s+gak|boleh\s*kah"
    r"|berapa|brp|kapan|dimana|siapa|what|how|can|could|is|are|do|does|should|may|why|where|who|when)\b",
    re.I,
)


def norm(text: str) -> str:
    """Lowercase words without accents or punctuation ("Iya!!" -> "iya"); "?" stays "?"."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    if text and set(text) <= {"?"}:
        return text
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def starts_with(text: str, phrases: frozenset[str]) -> bool:
    """Whether the normalised text is one of the phrases, or begins with one."""
    text = norm(text)
    return any(text == p or text.startswith(p + " ") for p in phrases)


def yes_or_no(text: str) -> bool | None:
    """True or False for a yes or a no; None for anything else ("tidak tahu" included)."""
    words = norm(text).split()
    if not words or starts_with(text, UNKNOWN):
        return None
    first = _known(words[0])
    if first in NO:
        # "gak papa", "no problem": yes; "gak aman": no.
        return len(words) > 1 and words[1] in NO_MATTER
    if first in YES:
        return True
    return None


def yes_no_rest(text: str) -> tuple[bool | None, str]:
    """ "ya, PT Sinar Jaya": the yes or no a message opens with, and what follows it."""
    said = yes_or_no(text)
    if said is None:
        return None, ""
    match = re.match(r"\s*[\w']+(?:\s+(?:apa\s*apa|papa|masalah))?[\s,.!:;-]*", text)
    rest = text[match.end() :] if match else ""
    if said is False and len(norm(text).split()) > 1 and norm(text).split()[1] in NO_MATTER:
        rest = ""
    return said, rest.strip()


def _known(word: str) -> str:
    """ "iyaa", "yaaa", "okee", "gakk": a yes or no word with its letters drawn out."""
    if word in YES or word in NO:
        return word
    squeezed = re.sub(r"(.)\1+", r"\1", word)
    for candidate in (squeezed, re.sub(r"(.)\1{2,}", r"\1\1", word)):
        if candidate in YES or candidate in NO:
            return candidate
    return word


# Said after a command without changing it: "batal ya", "skip aja", "lanjut dong".
POLITE = frozenset(
    {
        "ya",
        "yaa",
        "aja",
        "saja",
        "dong",
        "deh",
        "donk",
        "kak",
        "mbak",
        "mba",
        "sis",
        "please",
        "pls",
        "plz",
        "tolong",
        "tlg",
        "mohon",
        "sekarang",
        "now",
        "just",
        "ok",
        "oke",
        "sih",
    }
)


def is_command(text: str, phrases: frozenset[str]) -> bool:
    """The whole message is one of the phrases, give or take punctuation and politeness
    words ("batal aja ya", "tolong skip"): never a word inside an answer ("Jeddah")."""
    tokens = norm(text).split()
    if " ".join(tokens) in phrases:
        return True
    while tokens and tokens[0] in POLITE:
        tokens = tokens[1:]
    while tokens and tokens[-1] in POLITE:
        tokens = tokens[:-1]
    return bool(tokens) and " ".join(tokens) in phrases


def correction(text: str) -> int | None:
    """The field number in "3", "ubah 3", "correct no. 3"."""
    match = _CORRECT.match(norm(text))
    return int(match.group(1)) if match else None


def wants_to_report(text: str) -> bool:
    """ "mau lapor, gaji saya tidak dibayar": a report, not a question about rights."""
    return bool(_REPORT.search(text)) and not looks_like_question(text)


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(text.strip()))
