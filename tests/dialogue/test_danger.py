"""Danger in everyday wording, in both languages, and the look-alikes that are not danger.

A sample per category; bench/danger.py scores the whole corpus (bench/danger/).
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.dialogue.danger import Danger, DangerKind, detect
from bot.dialogue.danger_words import clauses, stems, words

EMERGENCY = [
    # confinement
    ("confined", "sy dikunci di rumah majikan"),
    ("confined", "gk boleh keluar rumah sm sekali"),
    ("confined", "dilarang keluar"),
    ("confined", "sydikunci"),
    ("confined", "aq dikunciin di kamar"),
    ("confined", "dikurungin sama nyonya"),
    ("confined", "ga boleh kluar"),
    ("confined", "bos tak bagi sy keluar rumah"),
    ("confined", "ora oleh metu karo majikan"),
    ("confined", "majikan kunci pintu kamar sy dr luar"),
    ("confined", "gk boleh keluar dari rumah majikan"),
    ("confined", "he locks me in the house"),
    ("confined", "my boss doesnt allow me to go out"),
    # phone taken, cut off
    ("phone_taken", "hp sy diambil majikan, gk bisa hubungi keluarga"),
    ("phone_taken", "hape disita agen"),
    ("phone_taken", "employer took my phone"),
    # sold, traded
    ("sold", "sy dijual agen"),
    ("sold", "diperdagangkan"),
    ("sold", "they sold me to another boss"),
    # sexual violence
    ("sexual", "dicabuli"),
    ("sexual", "diperkosa"),
    ("sexual", "dia pegang2 badan sy"),
    ("sexual", "raped"),
    ("sexual", "he touches me at night"),
    # torture and violence happening
    ("torture", "disiksa"),
    ("torture", "my employer tortures me"),
    ("torture", "he tried to strangle me"),
    ("violence_now", "majikan lagi mukulin sy"),
    ("violence_now", "she beats me every day"),
    # threats to kill
    ("threat_to_kill", "majikan ancam mau bunuh sy"),
    ("threat_to_kill", "he said he will kill me"),
    # calling for help now
    ("urgent", "tlg sy skrg"),
    ("urgent", "TOLONGGG CEPAT"),
    ("urgent", "help me now"),
    ("urgent", "SOS"),
    ("urgent", "darurat"),
    ("urgent", "please call the police"),
    ("urgent", "i ran away from my employer, now at the bus stop"),
    ("urgent", "sy kabur dr majikan skrg di jalan"),
    # found by a second author's blind set (bench/danger, part `blind`)
    ("torture", "aq disiram air panas sm nyonya"),
    ("sold", "sy dioper ke majikan lain tanpa kontrak, katanya udh dibayar ke agen"),
    ("violence_now", "majikan dah pukul saya teruk, berdarah"),
    ("urgent", "help me plsss"),
    ("urgent", "tolongin aku"),
]

CRISIS = [
    "pengen mati aja",
    "capek hidup",
    "mending sy mati",
    "sy mau bunuh diri",
    "nyakitin diri sendiri",
    "wes ora kuat urip, pengen mati wae",
    "sy tak nak hidup lagi",
    "I don't want to live anymore",
    "I want to end it all",
    "i want to kill myself",
    "i keep cutting myself",
    "sy sering nyilet tangan sendiri",
    "aku mau loncat dr lantai 20",
    "i will jump from the building",
    "better if i am dead",
]

LOOKALIKES = [
    "sy takut gaji gk dibayar",
    "kunci motor hilang",
    "mati lampu di asrama",
    "majikan sy baik, gk pernah mukul",
    "sy dijual murah hp bekas",
    "dikunci pintunya dr luar krn sy lupa bawa kunci",
    "majikan pukul saya kemarin",
    "paspor sy dipegang agen",
    "boleh keluar rumah gk kalo hari minggu?",
    "obat nyamuk buat bunuh nyamuk",
    "sy gk mau hidup boros",
    "hp sy mau mati batre abis",
    "tidak bisa keluar dari pekerjaan ini",
    "tidak boleh pulang sebelum kontrak habis",
    "nomor darurat di taiwan brp",
    "min tolong cepat balas ya",
    "my phone died",
    "killing time on my day off",
    "this heat is killing me",
    "i locked myself out of my room",
    "passport kept by agent",
    "i sold my old phone",
    "i would never hurt myself",
    "where can i report if my boss hits me?",
    "i feel trapped in this job",
    "my boss hit me yesterday",
    "teman sy kabur dr majikan, skrg dia di shelter aman",
    "watched a drama where the maid was locked in",
    "mati aku lupa masak nasi wkwk",
    "darurat gk sih kalo paspor mau habis bulan depan?",
    "is it an emergency if my visa expires next week?",
    "pagar rumah dikunci malam, sy pegang kuncinya",
    "my friend sold her gold to pay the agency",
    "i'm trapped in a bad contract, can i change employer",
    "majikan pukul 9 malam baru pulang, sy nunggu",
    # care refused (intent health_care_refused), not confinement
    "sy sakit tp majikan gk boleh sy pergi ke dokter",
    "my employer won't let me go to the doctor",
    "not allowed to go to the clinic even with fever",
]


@pytest.mark.parametrize(("cue", "text"), EMERGENCY)
def test_danger_in_everyday_wording(cue: str, text: str) -> None:
    assert detect(text) == Danger(DangerKind.EMERGENCY, cue)


@pytest.mark.parametrize("text", CRISIS)
def test_self_harm_is_a_crisis(text: str) -> None:
    assert detect(text) == Danger(DangerKind.CRISIS, "self_harm")


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_are_not_danger(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "gaji blm dibayar, hp diambil, gk boleh keluar rumah",
        "paspor ditahan agen dan sy dikunci di kamar",
        "no salary for 5 months and they lock me in the house",
        "i want to go home but the agent sold me",
    ],
)
def test_danger_that_is_one_clause_among_others(text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind is DangerKind.EMERGENCY


def test_a_negation_belongs_to_its_own_clause() -> None:
    assert detect("majikan gk pernah mukul") is None
    assert detect("majikan gk pernah mukul, tp skrg dia kunci sy di kamar") is not None


def test_crisis_wins_over_emergency_in_one_message() -> None:
    found = detect("lbh baik sy mati dr pd disiksa terus")
    assert found is not None and found.kind is DangerKind.CRISIS


def test_explicit_signs_win_over_the_classifier() -> None:
    assert detect("he said he will kill me", "self_harm") == Danger(
        DangerKind.EMERGENCY, "threat_to_kill"
    )


def test_the_classifier_signal_is_kept() -> None:
    assert detect("tolong", "emergency") == Danger(DangerKind.EMERGENCY, "intent:emergency")
    assert detect("majikan masih pukul saya", "abuse_violence") is not None
    assert detect("majikan masih pukul saya", "wages_unpaid") is None
    # Abuse told as over and safe now is not happening now.
    assert detect("dulu dipukul majikan lama, skrg udh pindah dan aman", "abuse_violence") is None


def test_the_classifiers_self_harm_needs_a_word_of_dying_or_hurting() -> None:
    assert detect("udah gk sanggup lagi sama semuanya", "self_harm") == Danger(
        DangerKind.CRISIS, "intent:self_harm"
    )
    assert detect("i miss my family so much", "self_harm") is None
    assert detect("listrik mati dari tadi sore", "self_harm") is None


def test_without_the_classifier_only_explicit_signs_count() -> None:
    # Inside a complaint flow the policy passes no intent.
    assert detect("tolong", None) is None
    assert detect("tolong sy dikunci", None) is not None


def test_the_result_is_a_frozen_value() -> None:
    found = detect("disiksa")
    assert found is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kind = DangerKind.CRISIS  # type: ignore[misc]
    assert detect("disiksa", None) is not None and detect("halo", None) is None


def test_normalising_and_word_forms() -> None:
    assert words("sydikunci tlg skrg gk bs") == [
        "saya",
        "dikunci",
        "tolong",
        "sekarang",
        "tidak",
        "bisa",
    ]
    assert clauses("gaji blm dibayar, hp diambil dan gk boleh keluar") == [
        ["gaji", "belum", "dibayar"],
        ["hp", "diambil"],
        ["tidak", "boleh", "keluar"],
    ]
    for form in ("dikunci", "ngunci", "dikunciin", "terkunci", "kuncikan"):
        assert "kunci" in stems(form), form
    assert "pukul" in stems("mukulin") and "siksa" in stems("nyiksa")


@pytest.mark.parametrize(
    "text",
    [
        "my old employer hit me once years ago, now i'm fine",  # over
        "obat nyamuk buat bunuh nyamuk di kamar",  # pests
        "is it an emergency if my visa expires next week?",  # a question about the word
    ],
)
def test_the_classifiers_emergency_guess_on_harmless_words_is_no_danger(text: str) -> None:
    assert detect(text, "emergency") is None


def test_the_classifiers_emergency_guess_still_counts_otherwise() -> None:
    assert detect("plis cepat kesini, keadaan gawat", "emergency") is not None
    assert detect("come quickly something bad is happening", "emergency") is not None
