"""The one web app: the chat page, health, and (mounted by the caller) webhooks and dashboard."""

from bot.web.app import create_app
from bot.web.chat import ChatReceiver
from bot.web.health import HealthCheck

__all__ = ["ChatReceiver", "HealthCheck", "create_app"]
