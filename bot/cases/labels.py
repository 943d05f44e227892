"""What officers read for a case's stored names: categories, sources and the complaint's own
bookkeeping keys. English msgids marked with N_; translate them where they are shown."""

from __future__ import annotations

from bot.i18n import N_

# A case's category is an intent (bot/intents.py); a case without one shows its source.
CATEGORY_LABELS: dict[str, str] = {
    "wages_unpaid": N_("Wages unpaid or cut"),
    "document_withheld": N_("Documents withheld"),
    "abuse_violence": N_("Abuse or violence"),
    "repatriation": N_("Repatriation"),
    "health_accident": N_("Health or work accident"),
    "working_conditions": N_("Working conditions"),
    "recruitment_fees": N_("Recruitment fees"),
    "trafficking_scam": N_("Trafficking or scam"),
    "legal_status": N_("Legal status (visa, permit)"),
    "social_security": N_("Social security (BPJS)"),
    "lost_contact": N_("Lost contact"),
    "contract_info": N_("Work contract"),
    "migrate_safely": N_("Migrating safely"),
    "absconding": N_("Leaving the employer"),
    "passport_renewal": N_("Passport"),
    "worker_death": N_("Death of a worker"),
    "health_care_refused": N_("Health care refused"),
    "contract_end": N_("End of contract"),
    "change_employer": N_("Changing employer"),
    "emergency": N_("Emergency"),
    "self_harm": N_("Risk of self-harm"),
    "report_problem": N_("Problem reported"),
    "talk_to_human": N_("Asked for a person"),
    "complaint": N_("Complaint"),
    "none": N_("Not stated"),
}

# Keys the complaint flow writes beside the answers (bot/dialogue/flows/runner.py `_record`).
RECORD_LABELS: dict[str, str] = {
    "anonymous": N_("Anonymous"),
    "evidence": N_("Evidence"),
    "taken_from_earlier_messages": N_("Taken from earlier messages"),
    "not_known": N_("Not known to the worker"),
    "danger_reported": N_("Danger reported"),
    "related_cases": N_("Other open cases"),
    "submitted_at": N_("Submitted"),
    "province": N_("Home province"),
    "country": N_("Country"),
}
# Shown elsewhere on the case page, or only for the machine.
RECORD_HIDDEN = frozenset({"category", "consent", "flow", "flow_version", "language", "reference"})

NOTE_KINDS: dict[str, str] = {
    "note": N_("note"),
    "transfer": N_("transfer"),
    "share": N_("shared"),
    "close": N_("closing"),
}
# What a worker sent (bot/messages.py Attachment.kind) and the state of its download.
ATTACHMENT_KINDS: dict[str, str] = {
    "photo": N_("photo"),
    "document": N_("document"),
    "voice": N_("voice message"),
    "video": N_("video"),
    "location": N_("location"),
}
# An officer's message not yet sent, and a file not yet fetched (the rest is not shown).
DELIVERY_STATES: dict[str, str] = {
    "pending": N_("not sent yet"),
    "sending": N_("sending"),
    "failed": N_("not delivered"),
    "undelivered": N_("not delivered"),
    "held": N_("waits for the worker to write"),
    "stored": N_("stored"),
}
ORGANISATION_KINDS: dict[str, str] = {
    "ngo": N_("NGO"),
    "bp3mi": "BP3MI",
    "disnakertrans": "Disnakertrans",
    "ministry": N_("ministry"),
    "mission": N_("embassy or consulate"),
}
ROLE_LABELS: dict[str, str] = {
    "officer": N_("officer"),
    "supervisor": N_("supervisor"),
    "editor": N_("editor"),
    "admin": N_("administrator"),
}
