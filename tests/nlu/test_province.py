"""Home provinces as workers write them."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bot.nlu.entities.province import PROVINCES, _norm, find_provinces, province_name


def test_thirty_eight_provinces_and_no_name_in_two_of_them() -> None:
    assert len(PROVINCES) == 38
    seen: dict[str, set[str]] = defaultdict(set)
    for province, (name, names, places) in PROVINCES.items():
        for alias in (name, *names, *places):
            seen[_norm(alias)].add(province)
    assert {alias: ids for alias, ids in seen.items() if len(ids) > 1} == {}


@pytest.mark.parametrize(
    ("said", "province"),
    [
        ("jatim", "jawa_timur"),
        ("Jawa Timur", "jawa_timur"),
        ("prov. jawa timr", "jawa_timur"),  # typo
        ("asal jatm", "jawa_timur"),
        ("dijatim", "jawa_timur"),  # glued
        ("NTB", "nusa_tenggara_barat"),
        ("lombok timur", "nusa_tenggara_barat"),
        ("ntt", "nusa_tenggara_timur"),
        ("kupang", "nusa_tenggara_timur"),
        ("jabar", "jawa_barat"),
        ("sy dr indramayu", "jawa_barat"),
        ("indramyu", "jawa_barat"),
        ("Cirebon", "jawa_barat"),
        ("sumut", "sumatera_utara"),
        ("cilacap", "jawa_tengah"),
        ("Kab. Banyuwangi", "jawa_timur"),
        ("bayuwangi", "jawa_timur"),
        ("Ponorogo", "jawa_timur"),
        ("blitar", "jawa_timur"),
        ("Tulungagung", "jawa_timur"),
        ("jogja", "di_yogyakarta"),
        ("papua barat", "papua_barat"),  # not also Papua
        ("sumba", "nusa_tenggara_timur"),
        ("sumbawa", "nusa_tenggara_barat"),
        ("East Java", "jawa_timur"),
        ("Cilacap, Jawa Tengah", "jawa_tengah"),
    ],
)
def test_a_province_district_or_typo_names_one_province(said: str, province: str) -> None:
    assert find_provinces(said) == {province}


@pytest.mark.parametrize(
    "said", ["jawa", "kalimantan", "kampung saya jauh", "kampung", "tidak tahu", "lewati", ""]
)
def test_no_province_is_guessed(said: str) -> None:
    assert find_provinces(said) == set()


def test_two_places_are_two_provinces() -> None:
    assert find_provinces("lahir di cilacap tinggal di jakarta") == {"jawa_tengah", "dki_jakarta"}


def test_names() -> None:
    assert province_name("nusa_tenggara_barat") == "Nusa Tenggara Barat"
    assert province_name("atlantis") == "atlantis"
