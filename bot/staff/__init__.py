"""Staff accounts: argon2 passwords, one-time links (first setup, new accounts), sessions."""

from bot.staff.accounts import (
    AccountError,
    authenticate,
    create_staff,
    needs_setup,
    password_link_token,
    set_password,
    setup_link_token,
)
from bot.staff.sessions import end_session, load_session, start_session
from bot.staff.tokens import issue_token, peek_token, use_token

__all__ = [
    "AccountError",
    "authenticate",
    "create_staff",
    "end_session",
    "issue_token",
    "load_session",
    "needs_setup",
    "password_link_token",
    "peek_token",
    "set_password",
    "setup_link_token",
    "start_session",
    "use_token",
]
