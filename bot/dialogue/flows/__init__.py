"""Guided complaint flows: editors' YAML in flows/complaints/, run inside the dialogue.

    library = FlowLibrary.load(root)                     # raises FlowError, listing every error
    runner = FlowRunner(library, expiry=timedelta(hours=168))
    policy = Policy(content, threshold=..., flows=runner)
    problems = check_flows(root)                         # for `helpline check`, file and line
    await watch_flows(root, library)                     # hot reload in the server process

Editors' guide: flows/README.md.
"""

from bot.dialogue.flows.library import FlowError, FlowLibrary, check_flows
from bot.dialogue.flows.model import SLOT_TYPES, Flow, Step
from bot.dialogue.flows.reload import watch_flows
from bot.dialogue.flows.runner import FlowRunner

__all__ = [
    "SLOT_TYPES",
    "Flow",
    "FlowError",
    "FlowLibrary",
    "FlowRunner",
    "Step",
    "check_flows",
    "watch_flows",
]
