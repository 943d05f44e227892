"""The worker's path through a flow: which steps apply, given the answers so far.

The path is recomputed from the answers every time, from the first step: so going back,
correcting an answer that changes a branch, or a flow that changed under a conversation
all come down to "the first step on the path that has no answer yet".
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.flows import slots
from bot.dialogue.flows.model import SUMMARY, Flow, Step
from bot.dialogue.flows.progress import Progress


def answers(flow: Flow, progress: Progress) -> dict[str, Any]:
    """What conditions see: the answers, the category, and whether the worker is anonymous."""
    return {
        **progress.slots,
        "category": flow.category,
        "anonymous": anonymous(progress),
    }


def anonymous(progress: Progress) -> bool:
    return any(
        progress.types.get(k) == "consent" and v == "anonymous" for k, v in progress.slots.items()
    )


def applies(step: Step, flow: Flow, progress: Progress) -> bool:
    if step.personal and anonymous(progress):
        return False
    return step.when is None or step.when.holds(answers(flow, progress))


def walk(flow: Flow, progress: Progress) -> tuple[list[Step], Step | None]:
    """The steps on the path, and the first one still open (None: on to the summary)."""
    path: list[Step] = []
    current = flow.steps[0].id if flow.steps else SUMMARY
    for _ in range(2 * len(flow.steps) + 1):  # a loop of `next` cannot hang a conversation
        step = flow.step(current)
        if current == SUMMARY or step is None or any(s.id == step.id for s in path):
            break
        if not applies(step, flow, progress):
            current = flow.following(step)
            continue
        path.append(step)
        if step.id not in progress.slots and step.id not in progress.skipped:
            return path, step
        value = progress.slots.get(step.id)
        option = step.option(value) if step.type == "choice" and isinstance(value, str) else None
        current = option.next if option is not None and option.next else flow.following(step)
    return path, None


def migrate(flow: Flow, progress: Progress) -> None:
    """Carry a conversation over to another version (or flow): answers that still fit stay."""
    kept: dict[str, Any] = {}
    for step in flow.steps:
        if step.id in progress.slots and progress.types.get(step.id) == step.type:
            value = progress.slots[step.id]
            if slots.fits(step.type, value) and (
                step.type != "choice" or step.option(str(value)) is not None
            ):
                kept[step.id] = value
    ids = {s.id for s in flow.steps}
    progress.slots = kept
    progress.types = {k: progress.types[k] for k in kept}
    progress.skipped = [s for s in progress.skipped if s in ids]
    progress.history = [s for s in progress.history if s in ids]
    progress.prefilled = [s for s in progress.prefilled if s in kept]
    progress.flow = flow.id
    progress.version = flow.version
    if progress.step not in ids:
        _, open_step = walk(flow, progress)
        progress.step = open_step.id if open_step is not None else SUMMARY
