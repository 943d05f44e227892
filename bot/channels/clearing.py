"""What "delete this chat" leaves for the worker to do by hand, on each channel, in their words.

The bot deletes what a channel lets it delete (Telegram: messages under 48 hours old); the
rest only the worker can remove. These texts name no helpline, case or problem: they may stay
on the phone.
"""

from __future__ import annotations

from bot.i18n import translator


def telegram_by_hand(lang: str | None) -> str:
    _ = translator(lang).gettext
    return _(
        "Messages older than 2 days cannot be deleted by me: Telegram does not allow it. "
        "Please delete this chat yourself:\n"
        "• Android: in your chat list, press and hold this chat, tap the bin 🗑, "
        "then Delete chat.\n"
        "• iPhone: in your chat list, swipe this chat to the left, then tap Delete."
    )


def whatsapp_by_hand(lang: str | None) -> str:
    _ = translator(lang).gettext
    return _(
        "WhatsApp does not let me delete messages on your phone. "
        "Please delete this chat yourself:\n"
        "• Android: in the Chats tab, press and hold this chat, tap the bin 🗑, "
        "then Delete chat.\n"
        "• iPhone: in the Chats tab, swipe this chat to the left, tap More, "
        "then Delete chat."
    )
