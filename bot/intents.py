"""The intent names: a contract with nlu_data/, flows/ and the evaluation sets (shared/INTENTS.md)."""

from __future__ import annotations

CONTROL = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "help",
    "change_language",
    "talk_to_human",
    "cancel",
)

# Each answers with rights information and offers to file a complaint.
RIGHTS = (
    "wages_unpaid",
    "document_withheld",
    "abuse_violence",
    "repatriation",
    "health_accident",
    "working_conditions",
    "recruitment_fees",
    "trafficking_scam",
    "legal_status",
    "social_security",
    "lost_contact",
    "contract_info",
    "migrate_safely",
)

# Questions answered with sourced information per country (flows/answers/), no complaint of
# their own: a worker with a problem behind them reports it through report_problem (the
# health_accident flow takes a death or refused care) or talks to a person.
INFORMATION = (
    "absconding",
    "passport_renewal",
    "worker_death",
    "health_care_refused",
    "contract_end",
    "change_employer",
)

SERVICES = (
    *INFORMATION,
    "emergency",
    "self_harm",
    "report_problem",
    "case_status",
    "contact_info",
    "find_support",
    "delete_my_data",
    "delete_chat",
    "data_request",
    "out_of_scope",
)

ALL = CONTROL + RIGHTS + SERVICES

LANGUAGES = ("id", "en")
