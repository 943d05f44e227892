"""Every answer rendered for every language and country, once, at load time.

Rendering everything up front is what makes a wrong reference fail `check` rather than a
worker's conversation, and it lets the checker see which facts each answer showed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Template

from bot.content import safety
from bot.content.loading import Catalogue
from bot.content.model import AnswerSpec, Fact, Group, Lang, Source, TemplateText
from bot.content.problems import Problem, warning
from bot.content.templates import TemplateFailure, Templates
from bot.content.views import CountryView, FactView, GroupView, Shown, SnippetView, Trace
from bot.intents import LANGUAGES, RIGHTS

MAX_CHARS = 700  # read on cheap phones

Key = tuple[str, Lang, str | None]  # intent, language, country (None: the general answer)
Where = tuple[Lang, str | None]
LEGAL_NOTE = "legal_note"  # closes every rights answer; the bot adds it, answers do not


@dataclass(frozen=True)
class Rendered:
    text: str
    sources: tuple[Source, ...]
    reviewed: date


def render_all(catalogue: Catalogue) -> tuple[dict[Key, Rendered], list[Problem]]:
    templates = Templates()
    renders: dict[Key, Rendered] = {}
    problems: list[Problem] = []
    snippets = _snippets(templates, catalogue, problems)
    for spec in catalogue.answers.values():
        compiled = _compile(templates, spec, catalogue, problems)
        if compiled is None or not catalogue.complete or snippets is None:
            continue
        failures: dict[tuple[int | None, str], list[Where]] = defaultdict(list)
        unsafe: dict[tuple[int | None, str], list[Where]] = defaultdict(list)
        uncaveated: dict[str, Problem] = {}
        longest: tuple[int, Lang, str] = (0, "", "")
        for lang in LANGUAGES:
            for code in (None, *catalogue.countries):
                where = (lang, code)
                trace = Trace()
                context = _context(catalogue, lang, code, trace)
                shared = {
                    name: SnippetView(shown, trace) for name, shown in snippets[where].items()
                }
                legal_note = shared.pop(LEGAL_NOTE)
                context.update(shared)
                try:
                    parts = [
                        templates.render(
                            compiled[(field, lang)], getattr(spec, field)[lang], context
                        )
                        for field in ("text", "next")
                    ]
                except TemplateFailure as failure:
                    failures[(failure.line, failure.message)].append(where)
                    continue
                if spec.intent in RIGHTS:
                    parts.append(str(legal_note))
                text = "\n\n".join(part for part in parts if part)
                if spec.safety == safety.EMERGENCY:
                    for message in safety.problems(catalogue, lang, code, text, trace.facts):
                        unsafe[(spec.text[lang].first_line - 1, message)].append(where)
                for problem in _caveats(spec, trace.facts, text, lang):
                    uncaveated.setdefault(problem.message.split(" is shown")[0], problem)
                renders[(spec.intent, lang, code)] = _rendered(spec, trace.facts, text)
                longest = max(longest, (len(text), lang, code or "none"))
        for (line, message), wheres in failures.items():
            problems.append(
                Problem(
                    spec.path, line, f"does not render ({_combos(wheres, catalogue)}): {message}"
                )
            )
        for (line, message), wheres in unsafe.items():
            problems.append(
                Problem(
                    spec.path,
                    line,
                    f"danger-related answer ({_combos(wheres, catalogue)}) {message}",
                )
            )
        problems += uncaveated.values()
        if longest[0] > MAX_CHARS:
            problems.append(
                warning(
                    spec.path,
                    spec.text[LANGUAGES[0]].first_line - 1,
                    f"{longest[0]} characters (lang={longest[1]} country={longest[2]}); "
                    f"aim for at most {MAX_CHARS}",
                )
            )
    return renders, problems


def _snippets(
    templates: Templates, catalogue: Catalogue, problems: list[Problem]
) -> dict[Where, dict[str, Shown]] | None:
    """Every shared piece rendered for every language and country, with the facts it shows."""
    if catalogue.snippets is None or not catalogue.complete:
        return None
    shown: dict[Where, dict[str, Shown]] = defaultdict(dict)
    ok = True
    for name, texts in catalogue.snippets.items():
        for lang in LANGUAGES:
            text = texts[lang]
            try:
                compiled = templates.compile(text)
            except TemplateFailure as failure:
                problems.append(
                    Problem(text.path, failure.line, f"template error: {failure.message}")
                )
                ok = False
                continue
            if not _countries_known(templates, text, catalogue, problems):
                ok = False
                continue
            failures: dict[tuple[int | None, str], list[Where]] = defaultdict(list)
            for code in (None, *catalogue.countries):
                trace = Trace()
                try:
                    rendered = templates.render(
                        compiled, text, _context(catalogue, lang, code, trace)
                    )
                except TemplateFailure as failure:
                    failures[(failure.line, failure.message)].append((lang, code))
                    continue
                shown[(lang, code)][name] = Shown(rendered, tuple(trace.facts))
            for (line, message), wheres in failures.items():
                problems.append(
                    Problem(
                        text.path,
                        line,
                        f"does not render ({_combos(wheres, catalogue)}): {message}",
                    )
                )
                ok = False
    return shown if ok else None


def _compile(
    templates: Templates, spec: AnswerSpec, catalogue: Catalogue, problems: list[Problem]
) -> dict[tuple[str, Lang], Template] | None:
    compiled: dict[tuple[str, Lang], Template] = {}
    ok = True
    for field in ("text", "next"):
        for lang in LANGUAGES:
            text = getattr(spec, field)[lang]
            try:
                compiled[(field, lang)] = templates.compile(text)
            except TemplateFailure as failure:
                problems.append(
                    Problem(spec.path, failure.line, f"template error: {failure.message}")
                )
                ok = False
                continue
            ok = _countries_known(templates, text, catalogue, problems) and ok
    return compiled if ok else None


def _countries_known(
    templates: Templates, text: TemplateText, catalogue: Catalogue, problems: list[Problem]
) -> bool:
    """Whether every `countries.XX` the template names loaded; an unknown code is a problem."""
    ok = True
    for code, line in templates.references(text, "countries"):
        if code in catalogue.broken_countries:
            ok = False  # reported in the country's file
        elif code not in catalogue.countries:
            problems.append(
                Problem(
                    text.path,
                    line,
                    f"unknown country code {code!r}: "
                    f"flows/countries/{code}.yml is missing or invalid",
                )
            )
            ok = False
    return ok


def _context(catalogue: Catalogue, lang: Lang, code: str | None, trace: Trace) -> dict[str, Any]:
    support = catalogue.support or Group()
    national = Group({k: v for k, v in support.items.items() if not _local(v)})
    local = [
        FactView(v, lang, trace)
        for v in support.items.values()
        if isinstance(v, Fact) and code is not None and code in v.countries
    ]
    countries = {c: CountryView(country, lang, trace) for c, country in catalogue.countries.items()}
    return {
        "country": countries.get(code) if code else None,
        "countries": countries,
        "contacts": GroupView(catalogue.contacts or Group(), lang, trace),
        "facts": GroupView(catalogue.facts or Group(), lang, trace),
        "support": GroupView(national, lang, trace),
        "local_support": local,
        "menu": {entry.intent: entry.number for entry in catalogue.menu or ()},
    }


def _local(node: object) -> bool:
    return isinstance(node, Fact) and bool(node.countries)


def _caveats(spec: AnswerSpec, shown: list[Fact], text: str, lang: Lang) -> list[Problem]:
    """An unconfirmed fact printed without its caveat (cut, filtered, or changed by the template)."""
    problems = []
    for fact in shown:
        if not fact.confirmed and fact.render(lang) not in text:
            problems.append(
                Problem(
                    spec.path,
                    spec.text[lang].first_line - 1,
                    f"unconfirmed fact {fact.key} ({fact.path.as_posix()}:{fact.line}) "
                    f"is shown without its caveat (lang={lang})",
                )
            )
    return problems


def _rendered(spec: AnswerSpec, shown: list[Fact], text: str) -> Rendered:
    sources = list(spec.sources)
    for fact in shown:
        sources += [s for s in fact.sources if s not in sources]
    reviewed = min([spec.reviewed, *(fact.reviewed for fact in shown)])
    return Rendered(text, tuple(sources), reviewed)


def _combos(wheres: list[Where], catalogue: Catalogue) -> str:
    """ "lang=id, every country" or "lang=en, country none, HK" """
    parts = []
    for lang in LANGUAGES:
        codes = [code for lang_, code in wheres if lang_ == lang]
        if len(codes) == len(catalogue.countries) + 1:
            parts.append(f"lang={lang}, every country")
        elif codes:
            parts.append(f"lang={lang}, country " + ", ".join(code or "none" for code in codes))
    return "; ".join(parts)
