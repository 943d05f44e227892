"""The officers' dashboard: server-rendered pages for queues, cases, live chat and accounts."""

from bot.dashboard.app import PATH, dashboard
from bot.dashboard.web import Deps

__all__ = ["PATH", "Deps", "dashboard"]
