"""The content the engine serves: answers, the emergency reply, the menu, country names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.content import checks, loading
from bot.content.loading import Catalogue
from bot.content.model import Answer, MenuItem
from bot.content.problems import ContentError, Problem
from bot.content.rendering import Key, Rendered, render_all
from bot.i18n import country_name, normalise_language


def build(
    root: Path, today: date | None = None
) -> tuple[Catalogue, dict[Key, Rendered], list[Problem]]:
    catalogue, problems = loading.load(root)
    problems += checks.run(root, catalogue, today or date.today())
    renders, found = render_all(catalogue)
    return catalogue, renders, problems + found


def check(root: Path, today: date | None = None) -> list[Problem]:
    """Every problem in root/flows/, errors and warnings, each with its file and line."""
    return build(root, today)[2]


class Content:
    def __init__(self, catalogue: Catalogue, renders: dict[Key, Rendered]) -> None:
        self._catalogue = catalogue
        self._renders = renders
        self._country_specific = {intent: _varies(renders, intent) for intent in catalogue.answers}

    @classmethod
    def load(cls, root: Path) -> Content:
        """The content under root/flows/; ContentError lists every error if it cannot be served."""
        catalogue, renders, problems = build(root)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise ContentError(errors)
        return cls(catalogue, renders)

    def has_answer(self, intent: str) -> bool:
        return intent in self._catalogue.answers

    def answer(self, intent: str, lang: str, country: str | None) -> Answer:
        """The answer for the worker's country; the general one for a country without facts.

        Raises KeyError for an intent without an answer (see has_answer).
        """
        if intent not in self._catalogue.answers:
            raise KeyError(f"no answer for intent {intent!r}")
        lang = normalise_language(lang)
        code = country.upper() if country else None
        if code not in self._catalogue.countries:
            code = None
        rendered = self._renders[(intent, lang, code)]
        return Answer(
            intent=intent,
            text=rendered.text,
            # Once the country is known, asking again would not change the answer.
            country_specific=self._country_specific[intent] and not country,
            country=code,
            sources=rendered.sources,
            reviewed=rendered.reviewed,
        )

    def emergency(self, lang: str, country: str | None) -> str:
        """Numbers first: local emergency, the Indonesian mission, the national crisis lines."""
        return self.answer("emergency", lang, country).text

    def menu(self, lang: str) -> list[MenuItem]:
        lang = normalise_language(lang)
        return [MenuItem(e.number, e.label[lang], e.intent) for e in self._catalogue.menu or ()]

    def country_codes(self) -> list[str]:
        """Countries with their own facts (flows/countries/), in code order."""
        return list(self._catalogue.countries)

    def country_label(self, code: str, lang: str) -> str:
        country = self._catalogue.countries.get(code.upper())
        if country is not None:
            return country.name.text[normalise_language(lang)]
        return country_name(code, lang)


def _varies(renders: dict[Key, Rendered], intent: str) -> bool:
    """Whether some country's answer differs from the general one."""
    texts = {(lang, code): r.text for (i, lang, code), r in renders.items() if i == intent}
    return any(text != texts[(lang, None)] for (lang, code), text in texts.items() if code)
