"""Questions that had no answer of their own (issue 12): running away, a passport to renew or
replace, a worker's death, medical care refused, a contract's end, changing employer. Each gets
its own answer, for the worker's country, in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Say, joined

CASES = [
    # (where the worker says they are, the question, the reply contains, the reply must not contain)
    ("sy kerja di taiwan", "apa sy boleh kabur?", ["Keputusan ada di tangan Anda", "3 hari"], []),
    ("sy kerja di malaysia", "kalau kabur dr majikan gmn", ["Keputusan ada di tangan Anda"], []),
    (
        "I work in taiwan",
        "can I run away from my employer?",
        ["The decision is yours", "3 days"],
        [],
    ),
    (
        "sy di hongkong",
        "cara perpanjang paspor sy gmn?",
        ["diperpanjang atau diganti di KBRI/KJRI", "KJRI Hong Kong"],
        ["Paspor Anda adalah milik Anda"],  # not the passport-withheld answer
    ),
    (
        "sy di malaysia",
        "paspor sy hilang hrs gmn",
        ["surat keterangan hilang"],
        ["Paspor Anda adalah milik Anda"],
    ),
    (
        "I work in hong kong",
        "how do I renew my passport?",
        ["renewed or replaced", "embassy or consulate"],
        ["Your passport belongs to you"],
    ),
    (
        "sy kerja di hongkong",
        "sy sakit, majikan gk izinin ke dokter",
        ["Berobat saat sakit adalah hak Anda", "Majikan wajib menanggung biaya berobat"],
        ["BPJS"],  # not the work-accident insurance answer
    ),
    (
        "I work in malaysia",
        "I'm sick but my employer won't let me go to the doctor",
        ["Getting medical care when you are sick is your right"],
        ["BPJS"],
    ),
    (
        "sy di singapore",
        "temen kerjaku meninggal kemarin di pabrik",
        ["Kami turut berduka", "JKM"],
        [],
    ),
    ("I work in singapore", "my friend died at work", ["sorry for your loss", "JKM"], []),
    ("sy kerja di singapore", "sy mau pindah ke majikan baru caranya gmn", ["MOM"], []),
    ("I work in singapore", "how can I transfer to a new employer", ["MOM"], []),
    ("sy di taiwan", "kontrak sy selesai bulan depan sy hrs gmn", ["Kontrak hampir habis"], []),
    (
        "I work in taiwan",
        "my contract finishes next month, what should I do",
        ["Contract ending soon"],
        [],
    ),
]


@pytest.mark.parametrize(("where", "question", "expected", "forbidden"), CASES)
async def test_each_new_question_gets_its_own_answer(
    worker: Callable[[str], Say],
    where: str,
    question: str,
    expected: list[str],
    forbidden: list[str],
) -> None:
    say = worker("worker")
    await say(where)
    text = joined(await say(question))
    for part in expected:
        assert part in text, text
    for part in forbidden:
        assert part not in text, text


async def test_without_a_country_the_answer_comes_then_the_country_question(
    worker: Callable[[str], Say],
) -> None:
    say = worker("nur")
    first = joined(await say("apa sy boleh kabur?"))
    assert "Keputusan ada di tangan Anda" in first and "negara mana" in first
    answer = joined(await say("taiwan"))
    assert "3 hari" in answer  # Taiwan's absence rule, now that the country is known


async def test_a_new_topic_asked_in_the_middle_of_a_report_is_answered_and_the_report_goes_on(
    worker: Callable[[str], Say],
) -> None:
    say = worker("in-flow-kabur")
    await say("sy kerja di malaysia")
    await say("/flow:start:wages_unpaid")
    assert "Siapa nama Anda" in joined(await say("ya"))  # consent given: the first question
    text = joined(await say("apa sy boleh kabur dr majikan?"))
    assert "pergi tanpa izin" in text  # the absconding answer
    assert "Siapa nama Anda" in text  # and the report's question again
