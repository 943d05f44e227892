"""Every string a worker sees is in the catalogues, and Indonesian has them all translated."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.dialogue.replies import language_switched
from bot.i18n import LOCALES_DIR, format_money, translator
from bot.settings import PROJECT_ROOT


def _code_messages() -> set[str]:
    method_map = [("bot/**.py", "python"), ("bot/**/templates/**.html", "jinja2")]
    found = extract_from_dir(
        str(PROJECT_ROOT),
        method_map=method_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    )
    messages: set[str] = set()
    for _filename, _lineno, message, _comments, _context in found:
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def _catalog(lang: str) -> dict[str, object]:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(f) if m.id}


def test_every_string_in_code_is_in_both_catalogues() -> None:
    code = _code_messages()
    assert code, "extraction found nothing"
    for lang in ("id", "en"):
        missing = code - set(_catalog(lang))
        assert not missing, (
            f"run pybabel extract/update (see README): {lang} lacks {sorted(missing)[:5]}"
        )


def test_indonesian_is_complete_and_not_fuzzy() -> None:
    untranslated = [mid for mid, m in _catalog("id").items() if not m.string or m.fuzzy]  # type: ignore[attr-defined]
    assert not untranslated, untranslated[:5]


def test_placeholders_survive_translation() -> None:
    for mid, message in _catalog("id").items():
        for placeholder in ("{country}", "%(max)s"):
            if placeholder in mid:
                assert placeholder in message.string, mid  # type: ignore[attr-defined]


def test_translator_and_formatting() -> None:
    assert translator("id").gettext("Menu") == "Menu"
    assert translator("id").gettext("Another country") == "Negara lain"
    assert translator("en").gettext("Another country") == "Another country"
    assert format_money(1500, "MYR", "id") != format_money(1500, "MYR", "en")


def test_the_language_switch_names_the_language_it_switches_to() -> None:
    # One neutral msgid: a translator never sees "English" in a sentence meant for Indonesian.
    assert language_switched("id") == "Baik, mulai sekarang saya pakai bahasa Indonesia."
    assert language_switched("en") == "OK, I will write in English from now on."
    assert "OK, I will write in English from now on." not in _catalog("id")
