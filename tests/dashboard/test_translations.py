"""Nothing on the desk is left in one language: every text of the dashboard's templates, and
every message its code and the case desk show staff, has an Indonesian translation, and no
template writes visible English outside `_()`."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from bot.dashboard.web import TEMPLATES_DIR
from bot.i18n import LOCALES_DIR
from bot.settings import PROJECT_ROOT

TEMPLATES = sorted(TEMPLATES_DIR.glob("*.html"))
# The code whose messages staff read: the dashboard, the case desk and staff accounts.
CODE = sorted(
    p
    for folder in ("bot/dashboard", "bot/cases", "bot/staff")
    for p in (PROJECT_ROOT / folder).glob("*.py")
)
# Visible words a template may write as they are: each language's name in itself (the
# switch), and an example reference.
AS_IS = {"Bahasa Indonesia", "English", "HL-7KQ2MX"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "label")
_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_CLASS_BLOCK = re.compile(r"{%\s*block main_class\s*%}.*?{%\s*endblock\s*%}")  # CSS classes


def _catalog(lang: str) -> Catalog:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _messages(path: Path) -> list[tuple[int, str | tuple[str, ...]]]:
    method = "jinja2" if path.suffix == ".html" else "python"
    return [
        (line, message) for line, message, _comments, _context in extract_from_file(method, path)
    ]


@pytest.mark.parametrize("path", TEMPLATES + CODE, ids=lambda p: p.name)
def test_every_message_has_an_indonesian_translation(path: Path) -> None:
    catalog = _catalog("id")
    untranslated = []
    for line, message in _messages(path):
        key = message if isinstance(message, str) else message[0]
        found = catalog.get(key)
        strings = [found.string] if found and isinstance(found.string, str) else []
        if found and not isinstance(found.string, str):
            strings = list(found.string)
        if not strings or not all(strings):
            untranslated.append(f"{path.name}:{line}: {key!r}")
    assert not untranslated, "run pybabel extract/update and translate:\n" + "\n".join(untranslated)


def test_the_templates_do_have_messages() -> None:
    """The extraction above reads the templates (a broken babel.cfg would find nothing)."""
    assert len(_messages(TEMPLATES_DIR / "case.html")) > 40


class _Visible(HTMLParser):
    """Text nodes and shown attributes of a template whose Jinja parts are blanked out."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append((self.getpos()[0], data))


def _bare_words(source: str) -> list[str]:
    source = _CLASS_BLOCK.sub(" ", source)
    blanked = _JINJA.sub(lambda m: "\n" * m.group().count("\n") + " ", source)
    parser = _Visible()
    parser.feed(blanked)
    problems = []
    for line, text in parser.found:
        text = " ".join(text.split())
        for allowed in AS_IS:
            text = text.replace(allowed, "")
        if re.search(r"[A-Za-z]{2,}", text):
            problems.append(f"{line}: {text!r}")
    return problems


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_template_writes_english_outside_gettext(path: Path) -> None:
    problems = _bare_words(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.name}: wrap these in {{{{ _(...) }}}}:\n" + "\n".join(problems)


def test_the_check_finds_bare_text() -> None:
    """The check above would notice a text, or a placeholder, written outside `_()`."""
    assert _bare_words('<p>{{ _("Claim") }}</p>') == []
    assert _bare_words('<a href="{{ root }}/">Queues</a>') == ["1: 'Queues'"]
    assert _bare_words('<textarea placeholder="Internal note"></textarea>') == [
        "1: 'Internal note'"
    ]
    assert _bare_words("<span>{{ case.reference }} · {{ fmt.when(now) }}</span>") == []
