"""Checks across a flow's steps: ids, conditions, consent, and that every step leads somewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot import intents
from bot.content.problems import Problem, warning
from bot.dialogue.flows.conditions import Compare
from bot.dialogue.flows.loader import COMPLAINTS
from bot.dialogue.flows.model import BUILTIN_SLOTS, SUMMARY, Flow, Step

RESERVED = (SUMMARY, *BUILTIN_SLOTS)


def check(flows: list[Flow], root: Path | None = None) -> list[Problem]:
    """Problems across steps; with `root`, also every category without a flow."""
    problems: list[Problem] = []
    for flow in flows:
        duplicates = list(_ids(flow))
        problems += duplicates
        if not duplicates:  # with two steps of one id, `next` is ambiguous: fix ids first
            problems += _graph(flow)
        problems += _conditions(flow)
        problems += _consent(flow)
        problems += _misplaced(flow)
    problems += _categories(flows, root)
    return problems


def _problem(step: Step, message: str, line: int | None = None) -> Problem:
    """About the step as written (with `line`), or about its place in the flow."""
    if line is not None:
        return Problem(step.where.path, line, f"step {step.id!r}: {message}")
    where = step.placed or step.where
    return Problem(where.path, where.line, f"step {step.id!r}: {message}")


def _ids(flow: Flow) -> Iterator[Problem]:
    seen: dict[str, Step] = {}
    for step in flow.steps:
        if step.id in RESERVED:
            yield _problem(step, f"{step.id!r} is reserved; choose another id")
        if step.id in seen:
            first = seen[step.id].placed or seen[step.id].where
            yield _problem(
                step,
                f"duplicate id: {first.path.as_posix()}:{first.line} has a step of that id "
                f"in flow {flow.id!r}",
            )
        seen.setdefault(step.id, step)
        options: dict[str, int] = {}
        for option in step.options:
            line = option.where.line if option.where else step.where.line
            if option.id in options:
                yield _problem(
                    step, f"duplicate option id {option.id!r} (line {options[option.id]})", line
                )
            options.setdefault(option.id, line)


def _targets(flow: Flow, step: Step) -> set[str]:
    """Where a step can lead: each option's `next`, its own, and past it when it is skipped."""
    following = flow.following(step)
    targets: set[str] = set()
    if step.options and any(o.next for o in step.options):
        targets |= {o.next or following for o in step.options}
    else:
        targets.add(following)
    if step.when is not None or step.skip or step.personal:
        targets.add(following)
    return targets


def _graph(flow: Flow) -> Iterator[Problem]:
    ids = {s.id for s in flow.steps}
    edges: dict[str, set[str]] = {}
    for step in flow.steps:
        known: set[str] = set()
        for target in _targets(flow, step):
            if target == SUMMARY or target in ids:
                known.add(target)
        edges[step.id] = known
        for option in step.options:
            if option.next and option.next != SUMMARY and option.next not in ids:
                line = option.where.line if option.where else None
                yield _problem(
                    step,
                    f"dead end: option {option.id!r} goes to unknown step {option.next!r}",
                    line,
                )
        if step.next and step.next != SUMMARY and step.next not in ids:
            yield _problem(step, f"dead end: next goes to unknown step {step.next!r}")
    reached = _reach(flow.steps[0].id, edges)
    for step in flow.steps[1:]:
        if step.id not in reached:
            yield _problem(step, "unreachable: no step leads here (check the `next` before it)")
    reverse: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, set()).add(source)
    finishing = _reach(SUMMARY, reverse)
    for step in flow.steps:
        if step.id in reached and step.id not in finishing:
            yield _problem(
                step,
                "dead end: from here the questions never reach the summary (a loop of `next`?)",
            )


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _conditions(flow: Flow) -> Iterator[Problem]:
    position = {s.id: i for i, s in enumerate(flow.steps)}
    for index, step in enumerate(flow.steps):
        if step.when is None:
            continue
        where = step.when_where or step.where
        for compare in step.when.comparisons():
            slot = compare.ref.slot
            if slot in BUILTIN_SLOTS:
                yield from _builtin(step, compare, where.line)
                continue
            if slot not in position:
                yield Problem(
                    where.path,
                    where.line,
                    f"step {step.id!r}: condition on unknown slot {slot!r} "
                    f"(not a step of flow {flow.id!r})",
                )
                continue
            if position[slot] >= index:
                yield Problem(
                    where.path,
                    where.line,
                    f"step {step.id!r}: condition on {slot!r}, which is asked later: "
                    "it is never answered here",
                )
                continue
            yield from _values(step, flow.steps[position[slot]], compare, where.line)


def _builtin(step: Step, compare: Compare, line: int) -> Iterator[Problem]:
    if compare.ref.slot == "category":
        for value in _listed(compare):
            if value is not None and value not in intents.RIGHTS:
                yield _problem(step, f"condition: unknown category {value!r}", line)


def _values(step: Step, asked: Step, compare: Compare, line: int) -> Iterator[Problem]:
    if compare.op == "truthy" or len(compare.ref.path) > 1:
        return
    for value in _listed(compare):
        if value is None:
            continue
        if asked.type == "choice" and asked.option(str(value)) is None:
            yield _problem(
                step,
                f"condition: {asked.id!r} has no option {value!r} "
                f"(options: {', '.join(o.id for o in asked.options)})",
                line,
            )
        elif asked.type == "yesno" and not isinstance(value, bool):
            yield _problem(
                step, f"condition: {asked.id!r} is yes/no: compare with true or false", line
            )


def _listed(compare: Compare) -> tuple[object, ...]:
    if compare.op in ("in", "not in"):
        return tuple(compare.value or ())  # type: ignore[arg-type]
    return () if compare.op == "truthy" else (compare.value,)


def _consent(flow: Flow) -> Iterator[Problem]:
    consent = next((i for i, s in enumerate(flow.steps) if s.type == "consent"), None)
    for index, step in enumerate(flow.steps):
        if not step.personal:
            continue
        if consent is None:
            yield _problem(step, "personal data is asked, but the flow has no consent step")
        elif index < consent:
            yield _problem(step, "personal data is asked before the consent step")


def _misplaced(flow: Flow) -> Iterator[Problem]:
    for step in flow.steps:
        if step.options and step.type != "choice":
            yield warning(
                step.where.path,
                step.where.line,
                f"step {step.id!r}: options are only used by choice steps",
            )
        if step.urgent_if is not None and step.type != "yesno":
            yield warning(
                step.where.path,
                step.where.line,
                f"step {step.id!r}: urgent_if is only used by yesno steps",
            )


def _categories(flows: list[Flow], root: Path | None) -> Iterator[Problem]:
    seen: dict[str, Flow] = {}
    for flow in flows:
        if flow.category in seen:
            first = seen[flow.category]
            yield Problem(
                flow.where.path,
                flow.where.line,
                f"duplicate category {flow.category!r}: flow {first.id!r} "
                f"({first.where.path.as_posix()}) files it already",
            )
        seen.setdefault(flow.category, flow)
    if root is not None:
        for category in intents.RIGHTS:
            # A file that exists but did not load has had its problems reported already.
            if category not in seen and not (root / COMPLAINTS / f"{category}.yml").exists():
                yield Problem(
                    COMPLAINTS / f"{category}.yml",
                    None,
                    f"no complaint flow for category {category!r}",
                )
