from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.data import DataError, Example, load_rasa, load_xsid, strip_entity_markup

GOOD = """\
version: "3.1"
nlu:
- intent: wages_unpaid
  examples: |
    - gaji sy blm dibayar
    - gaji saya [RM1500](money) belum dibayar
    - kerja di [hongkong]{"entity": "country", "value": "HK"} gaji telat
- synonym: hongkong
  examples: |
    - hk
- intent: greet
  examples: |
    - halo
"""


def test_loads_examples_with_language_from_directory(tmp_path: Path) -> None:
    (tmp_path / "id").mkdir()
    (tmp_path / "id" / "work.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "en" / "deep").mkdir(parents=True)
    (tmp_path / "en" / "deep" / "x.yml").write_text(GOOD, encoding="utf-8")
    examples = load_rasa(tmp_path)
    assert len(examples) == 8
    assert {e.language for e in examples} == {"id", "en"}
    assert Example("gaji saya RM1500 belum dibayar", "wages_unpaid", "id") in examples
    assert Example("kerja di hongkong gaji telat", "wages_unpaid", "en") in examples
    assert not any(e.intent == "hongkong" for e in examples)  # synonyms are not intents


def test_language_from_file_stem_or_none(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.yml").write_text(GOOD, encoding="utf-8")
    assert {e.language for e in load_rasa(tmp_path / "en.yml")} == {"en"}
    assert {e.language for e in load_rasa(tmp_path / "other.yml")} == {None}


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("gaji [RM1500](money) telat", "gaji RM1500 telat"),
        ('di [HK]{"entity": "country", "value": "HK"} ya', "di HK ya"),
        ("[taiwan](country:TW) dan [hk](country)", "taiwan dan hk"),
        ("no markup [here", "no markup [here"),
    ],
)
def test_strips_entity_markup(marked: str, plain: str) -> None:
    assert strip_entity_markup(marked) == plain


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "id.yml"
    bad.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - halo\n  x: [\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        load_rasa(bad)
    assert err.value.path == bad
    assert err.value.line is not None and err.value.line >= 6
    assert str(bad) in str(err.value)


def test_example_line_without_dash_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "id.yml"
    bad.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - halo\n    hai\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"id\.yml:6: expected `- example`"):
        load_rasa(bad)


def test_intent_without_examples_block(tmp_path: Path) -> None:
    bad = tmp_path / "en.yml"
    bad.write_text("nlu:\n- intent: greet\n  examples: [a, b]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"en\.yml:2: intent 'greet'"):
        load_rasa(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_rasa(tmp_path / "nope.yml")


def test_xsid_text_and_intent(tmp_path: Path) -> None:
    f = tmp_path / "id.test.conll"
    f.write_text(
        "# id = 1\n# text-en = Is it going to rain?\n# text = Apakah akan hujan?\n"
        "# intent = weather/find\n1\tApakah\tweather/find\tO\n\n"
        "# id = 2\n# text = setel alarm\n# intent = alarm/set_alarm\n1\tsetel\t_\tO\n",
        encoding="utf-8",
    )
    assert load_xsid([f]) == [
        Example("Apakah akan hujan?", "weather/find", "id"),
        Example("setel alarm", "alarm/set_alarm", "id"),
    ]
