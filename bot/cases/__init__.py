"""The case desk: organisations and queues, routing, cases and what staff do with them.

directory = Directory.load(root)                    # flows/organisations.yml, routing.yml
desk = Desk(directory)                              # open_case, claim, reply, transfer, ...
engine = Engine(..., hooks=CaseHooks(desk))         # talk_to_human and danger open cases
"""

from bot.cases.alerts import Alerts, flag_overdue, flag_unclaimed, overdue_job, unclaimed_job
from bot.cases.desk import Desk, DeskError
from bot.cases.directory import Directory, DirectoryError, check_directory
from bot.cases.hooks import CaseHooks
from bot.cases.live import Live
from bot.cases.permissions import Action, Actor, PermissionDenied, Role, can
from bot.cases.privacy import Privacy
from bot.cases.references import find_references, new_reference, normalise
from bot.cases.retention import apply_retention, retention_job
from bot.cases.routing import CaseFacts, Routed, is_urgent, route
from bot.cases.staff_chat import StaffChat, StaffMessages
from bot.cases.waiting import waiting_job

__all__ = [
    "Action",
    "Actor",
    "Alerts",
    "CaseFacts",
    "CaseHooks",
    "Desk",
    "DeskError",
    "Directory",
    "DirectoryError",
    "Live",
    "PermissionDenied",
    "Privacy",
    "Role",
    "Routed",
    "StaffChat",
    "StaffMessages",
    "can",
    "check_directory",
    "find_references",
    "flag_overdue",
    "flag_unclaimed",
    "overdue_job",
    "apply_retention",
    "retention_job",
    "unclaimed_job",
    "waiting_job",
    "is_urgent",
    "new_reference",
    "normalise",
    "route",
]
