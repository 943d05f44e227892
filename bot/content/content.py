"""The content the engine serves: answers, the emergency reply, the menu, country names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot import loadcache
from bot.content import checks, loading
from bot.content.loading import FLOWS, Catalogue
from bot.content.model import Answer, MenuItem
from bot.content.problems import ContentError, Problem
from bot.content.rendering import Key, Rendered, render_all
from bot.content.services import MAX_LISTED, City, Directory
from bot.i18n import country_name, normalise_language, translator


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
    def load(cls, root: Path, cache_dir: Path | None = None) -> Content:
        """The content under root/flows/; ContentError lists every error if it cannot be served.

        With `cache_dir`, as loaded before from the same files (bot/loadcache.py)."""

        def load() -> Content:
            catalogue, renders, problems = build(root)
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise ContentError(errors)
            return cls(catalogue, renders)

        return loadcache.cached(
            cache_dir, "content", root, lambda: loadcache.tree(root / FLOWS), load, Content
        )

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

    @property
    def services(self) -> Directory:
        return self._catalogue.services or Directory()

    def support_kind(self, text: str) -> str | None:
        """The kind of service a message asks for ("shelter", "legal_aid"), if it names one."""
        return self.services.kind_in(text)

    def support_city(self, text: str) -> City | None:
        return self.services.city_in(text)

    def support(
        self, lang: str, kind: str | None, country: str | None, city: str | None = None
    ) -> str:
        """The services that fit, best first and few (a cheap phone), in the worker's language;
        the answer of flows/answers/find_support.yml (what next) closes it."""
        lang = normalise_language(lang)
        _ = translator(lang).gettext
        directory = self.services
        place = directory.cities[city].name if city in directory.cities else None
        place = place or (self.country_label(country, lang) if country else None)
        found = directory.find(kind, country, city)
        lines: list[str] = []
        label = directory.kinds[kind].label[lang] if kind in directory.kinds else None
        if label and not found:
            lines.append(
                _("I have no {kind} listed for {place} yet. These can help:").format(
                    kind=label, place=place or _("your country")
                )
                if place
                else _("I have no {kind} listed yet. These can help:").format(kind=label)
            )
            found = directory.find(None, country, city)
        elif label and place:
            lines.append(_("🤝 {kind} for you in {place}:").format(kind=label, place=place))
        elif label:
            lines.append(_("🤝 {kind}:").format(kind=label))
        elif place:
            lines.append(_("🤝 Who can help you in {place}:").format(place=place))
        else:
            lines.append(_("🤝 Who can help you:"))
        lines += [directory.render(service, lang) for service in found[:MAX_LISTED]]
        if kind is None:
            kinds = ", ".join(k.label[lang] for k in directory.kinds.values())
            lines.append(_("Tell me what you need: {kinds}.").format(kinds=kinds))
        closing = self.answer("find_support", lang, country).text
        return "\n".join(lines) + ("\n\n" + closing if closing else "")

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
