"""Channel tests: Telegram and WhatsApp against local Bot API and Twilio stubs."""

from tests.channels.fixtures import *  # noqa: F403
