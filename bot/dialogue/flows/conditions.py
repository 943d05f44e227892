"""A small, safe expression language for `when:` conditions over a flow's answers.

    agency_known == true
    category in [document_withheld, repatriation]
    owed.amount > 1000 and not anonymous

The left side of a comparison is always an answer (a step's id, or `category`/`anonymous`),
optionally with a part (`owed.currency`); the right side is a value: true, false, null, a
number, a word or "quoted text", or a [list]. An answer alone means "answered and not
false/empty". Nothing is evaluated as Python: the parser builds a tree of the nodes below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

Value = str | bool | Decimal | None
_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>\"[^\"]*\"|'[^']*')|(?P<op>==|!=|<=|>=|<|>|\[|\]|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))"
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class ConditionError(ValueError):
    """A condition that does not parse; the message says what was expected, and where."""


@dataclass(frozen=True)
class Ref:
    path: tuple[str, ...]  # ("owed", "amount")

    @property
    def slot(self) -> str:
        return self.path[0]


@dataclass(frozen=True)
class Compare:
    ref: Ref
    op: str  # one of _COMPARISONS, "in", "not in", or "truthy"
    value: Value | tuple[Value, ...] = None


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Both:
    op: str  # "and" | "or"
    left: Node
    right: Node


Node = Compare | Not | Both


@dataclass(frozen=True)
class Condition:
    source: str
    tree: Node

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return _evaluate(self.tree, answers)

    def comparisons(self) -> Iterator[Compare]:
        """Every comparison, for the checker (unknown slots, unknown options)."""
        yield from _comparisons(self.tree)


def parse(source: str) -> Condition:
    tokens = _tokens(source)
    parser = _Parser(tokens, source)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ConditionError(f"unexpected {parser.peek()!r} in {source!r}")
    return Condition(source, tree)


def _tokens(source: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    source = source.strip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise ConditionError(f"cannot read {source[position:]!r} in {source!r}")
        tokens.append(match.group(0).strip())
        position = match.end()
        while position < len(source) and source[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], source: str) -> None:
        self.tokens = tokens
        self.position = 0
        self.source = source

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ConditionError(f"{self.source!r} ends too early")
        if expected is not None and token != expected:
            raise ConditionError(f"expected {expected!r} but found {token!r} in {self.source!r}")
        self.position += 1
        return token

    def expression(self) -> Node:
        node = self.conjunction()
        while self.peek() == "or":
            self.take()
            node = Both("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.peek() == "and":
            self.take()
            node = Both("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        if self.peek() == "(":
            self.take()
            node = self.expression()
            self.take(")")
            return node
        name = self.take()
        if name in _KEYWORDS or not re.fullmatch(r"[A-Za-z_][\w.]*", name):
            raise ConditionError(
                f"expected the name of an answer, found {name!r} in {self.source!r}"
            )
        ref = Ref(tuple(name.split(".")))
        op = self.peek()
        if op in _COMPARISONS:
            self.take()
            return Compare(ref, op, self.value())
        if op == "in":
            self.take()
            return Compare(ref, "in", self.values())
        if (
            op == "not"
            and self.position + 1 < len(self.tokens)
            and self.tokens[self.position + 1] == "in"
        ):
            self.take()
            self.take()
            return Compare(ref, "not in", self.values())
        return Compare(ref, "truthy")

    def values(self) -> tuple[Value, ...]:
        self.take("[")
        items: list[Value] = []
        while self.peek() != "]":
            items.append(self.value())
            if self.peek() == ",":
                self.take()
            elif self.peek() != "]":
                raise ConditionError(f"expected ',' or ']' in {self.source!r}")
        self.take("]")
        return tuple(items)

    def value(self) -> Value:
        token = self.take()
        if token in ("true", "false"):
            return token == "true"
        if token == "null":
            return None
        if token[0] in "\"'":
            return token[1:-1]
        if re.fullmatch(r"-?\d+(?:\.\d+)?", token):
            return Decimal(token)
        if re.fullmatch(r"[A-Za-z_]\w*", token) and token not in _KEYWORDS:
            return token  # a bare word: an option id, a country code, a currency
        raise ConditionError(f"expected a value, found {token!r} in {self.source!r}")


def lookup(answers: Mapping[str, Any], ref: Ref) -> Any:
    value: Any = answers.get(ref.slot)
    for part in ref.path[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _comparable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value) if re.fullmatch(r"-?\d+(?:\.\d+)?", value) else value
        except InvalidOperation:
            return value
    return value


def _evaluate(node: Node, answers: Mapping[str, Any]) -> bool:
    if isinstance(node, Both):
        if node.op == "and":
            return _evaluate(node.left, answers) and _evaluate(node.right, answers)
        return _evaluate(node.left, answers) or _evaluate(node.right, answers)
    if isinstance(node, Not):
        return not _evaluate(node.operand, answers)
    actual = _comparable(lookup(answers, node.ref))
    if node.op == "truthy":
        return actual not in (None, False, "", [], {})
    if node.op in ("in", "not in"):
        listed = tuple(_comparable(v) for v in node.value or ())  # type: ignore[union-attr]
        found = actual in listed
        return found if node.op == "in" else not found
    expected = _comparable(node.value)
    if node.op == "==":
        return bool(actual == expected)
    if node.op == "!=":
        return bool(actual != expected)
    if not isinstance(actual, Decimal) or not isinstance(expected, Decimal):
        return False  # an unanswered or non-numeric answer is neither more nor less
    return {
        "<": actual < expected,
        "<=": actual <= expected,
        ">": actual > expected,
        ">=": actual >= expected,
    }[node.op]


def _comparisons(node: Node) -> Iterator[Compare]:
    if isinstance(node, Both):
        yield from _comparisons(node.left)
        yield from _comparisons(node.right)
    elif isinstance(node, Not):
        yield from _comparisons(node.operand)
    else:
        yield node
