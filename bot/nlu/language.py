"""Which language a worker writes in: "id" (Indonesian, Malay counted as Indonesian), "en", or None."""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from bot.memory import release_free_memory
from bot.nlu.entities.country import PATTERN as _PLACES
from bot.nlu.ngrams import NgramModels, ngram_models

LanguageCode = Literal["id", "en"]

# Words an English speaker would not write: one is enough to say Indonesian.


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


INDONESIAN_MARKERS = _word_set(
    """
    saya sy sya aku aq gw gue kamu km dia kami kita mereka tidak tdk gak ga gk nggak ngga
    enggak tak nak belum blm sudah udh udah sdh dah yang yg dan dengan dgn untuk utk dari
    tolong tlg gaji majikan bagaimana gimana gmn kenapa knp mengapa apa apakah bisa mau ingin
    di ke pulang kerja bekerja paspor dokumen terima kasih makasih mksh bantu bantuan minta sama
    juga jg tapi tp ini itu ada karena krn lagi masih harus boleh bulan tahun hari sekarang
    skrg selamat pagi siang sore malam iya betul bukan bapak ibu mbak kak adik suami istri
    anak keluarga tolonglah sakit dipukul kabur ditahan dimana dmn kapan berapa siapa
    sudahlah sahaja kerana awak hendak mahu sebab balik kampung agensi disiksa dibayar
    digaji potongan libur cuti hilang kontak lapor laporan pengaduan
    """
)
# Words an Indonesian writer rarely uses outside English sentences (not "ok", "sorry",
# "please", "thanks", "help", "salary": those are common in Indonesian chat).
ENGLISH_MARKERS = _word_set(
    """
    the is are am was were i i'm im my me you your he she they we our not don't dont didn't
    what how why where when which who can could would should will have has had do does did
    want need with this that there and of to for from it be been being about because
    employer agency paid pay work working home go going get got still yet since in on by at
    a an if or but just out up some any
    """
)
_WORD = re.compile(r"[a-z']+")
_MIN_WORDS_FOR_STATISTICS = 2
_MIN_WORDS_WITHOUT_MARKERS = 3
_MIN_CONFIDENCE = 0.75


def _statistics(text: str) -> dict[str, float]:
    """lingua's confidence in "id", "ms" and "en" (bot/nlu/ngrams.py: the same values from a
    compact copy of its models, loaded on the first message that needs them)."""
    return _models().confidence_values(text)


@cache
def _models() -> NgramModels:
    models = ngram_models()
    release_free_memory()  # what decompressing the file left freed
    return models


def detect_language(text: str) -> LanguageCode | None:
    words = _WORD.findall(text.lower())
    if not words:
        return None  # numbers, emojis, punctuation
    id_hits = sum(w in INDONESIAN_MARKERS for w in words)
    en_hits = sum(w in ENGLISH_MARKERS for w in words)
    if id_hits and not en_hits:
        return "id"
    if len(words) < _MIN_WORDS_FOR_STATISTICS:
        return None  # "ok", "hi", "thanks": too short to tell
    if not id_hits and not en_hits and len(words) < _MIN_WORDS_WITHOUT_MARKERS:
        return None  # "xq zz", "salary late": the statistics would guess
    if en_hits >= 2 and not id_hits and len(words) >= 3:
        return "en"
    if id_hits and en_hits and id_hits >= 2 * en_hits:
        return "id"  # English words sprinkled in Indonesian: "my majikan tidak bayar gaji"
    # Place names ("kuala lumpur", "riyadh") look Malay or English whatever the sentence is.
    rest = _PLACES.sub(" ", text)
    if len(_WORD.findall(rest.lower())) < _MIN_WORDS_FOR_STATISTICS:
        return None
    values = _statistics(rest)
    indonesian = values["id"] + values["ms"]
    english = values["en"]
    if indonesian >= _MIN_CONFIDENCE and not en_hits > id_hits:
        return "id"
    if english >= _MIN_CONFIDENCE and not id_hits > en_hits:
        return "en"
    return None
