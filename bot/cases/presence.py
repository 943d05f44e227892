"""Who answers a worker now: the officer holding the chat on their open case, or the bot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.directory import Directory
from bot.cases.status import Status
from bot.i18n import translator
from bot.storage.models import Case, Staff


@dataclass(frozen=True, slots=True)
class Holder:
    name: str  # the name the officer chose to show workers
    organisation: str  # their organisation's name

    def label(self, lang: str) -> str:
        """ "Rina dari Migrant CARE": how the worker is told who answers."""
        _ = translator(lang).gettext
        return _("{name} from {organisation}").format(
            name=self.name, organisation=self.organisation
        )


def change_text(after: Holder | None, lang: str) -> str:
    """What the worker is told when an officer joins, or the bot answers again."""
    _ = translator(lang).gettext
    if after is not None:
        return _("%(officer)s joined the chat.") % {"officer": after.label(lang)}
    return _("The helpline's assistant answers you again.")


async def chat_holder(session: AsyncSession, worker_id: int, directory: Directory) -> Holder | None:
    """The officer who holds the worker's chat, or None while the bot answers."""
    row = (
        await session.execute(
            select(Staff.display_name, Staff.organisation, Case.organisation)
            .join(Staff, Staff.id == Case.chat_held_by)
            .where(
                Case.worker_id == worker_id,
                Case.status != Status.CLOSED,
                Case.chat_held_by.is_not(None),
            )
            .order_by(Case.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    name, own, case_organisation = row
    return Holder(name, directory.organisation_name(own or case_organisation))
