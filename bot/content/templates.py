"""Answer templates: Jinja2 in a sandbox, strict about undefined names, errors mapped to lines."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jinja2 import FunctionLoader, StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from bot.content.model import TemplateText
from bot.content.views import FactView

_BLANK_LINES = re.compile(r"\n{3,}")


class TemplateFailure(Exception):
    """A template did not compile or render; `line` is the line in the YAML file."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Environment(SandboxedEnvironment):
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, FactView):
            return attr == "label"  # never the bare text: a caveat must not be skipped
        return bool(super().is_safe_attribute(obj, attr, value))


class Templates:
    def __init__(self) -> None:
        self._texts: dict[str, TemplateText] = {}
        self._env = _Environment(
            loader=FunctionLoader(self._load),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            auto_reload=False,
        )

    def _load(self, name: str) -> tuple[str, str, Callable[[], bool]]:
        return self._texts[name].source, name, lambda: True

    def compile(self, text: TemplateText) -> Template:
        self._texts[text.name] = text
        try:
            return self._env.get_template(text.name)
        except TemplateSyntaxError as error:
            raise TemplateFailure(_file_line(text, error.lineno), error.message or "") from error

    def render(self, template: Template, text: TemplateText, context: Mapping[str, Any]) -> str:
        try:
            return tidy(template.render(context))
        except Exception as error:  # any failure of editors' content becomes a located problem
            line = _traceback_line(error, text)
            raise TemplateFailure(line, f"{type(error).__name__}: {error}") from error

    def references(self, text: TemplateText, name: str) -> Iterator[tuple[str, int]]:
        """Constant keys looked up on a variable (`countries.MY`, `countries["MY"]`), with lines."""
        tree = self._env.parse(text.source)
        for found in tree.find_all((nodes.Getattr, nodes.Getitem)):
            if not isinstance(found, nodes.Getattr | nodes.Getitem):
                continue
            if not (isinstance(found.node, nodes.Name) and found.node.name == name):
                continue
            key = found.attr if isinstance(found, nodes.Getattr) else _constant(found.arg)
            if isinstance(key, str):
                yield key, _file_line(text, found.lineno)
        for loop in tree.find_all(nodes.For):
            # {% for code in ["MY", "HK"] %}{{ countries[code] }}: the listed codes count too
            if isinstance(loop.iter, nodes.List | nodes.Tuple) and _uses(loop, name):
                for item in loop.iter.items:
                    key = _constant(item)
                    if isinstance(key, str):
                        yield key, _file_line(text, loop.lineno)


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, nothing around the text."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", lines).strip()


def _constant(node: nodes.Node) -> object:
    return node.value if isinstance(node, nodes.Const) else None


def _uses(loop: nodes.For, name: str) -> bool:
    return any(n.name == name for n in loop.find_all(nodes.Name))


def _file_line(text: TemplateText, template_line: int | None) -> int:
    return text.first_line + (template_line or 1) - 1


def _traceback_line(error: BaseException, text: TemplateText) -> int:
    # Jinja rewrites tracebacks so that template frames carry the template's name and line.
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == text.name]
    return _file_line(text, lines[-1] if lines and lines[-1] else None)
