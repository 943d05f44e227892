"""The permission matrix: every role against every case action, across organisations."""

from __future__ import annotations

import pytest

from bot.cases import Action, Actor, can
from bot.cases.permissions import (
    CaseScope,
    may_check_content,
    may_decide_referral,
    may_manage_staff,
    may_see_network_report,
    may_see_organisation_report,
    may_see_queues,
    may_see_reports,
)

ME = 1
OTHER = 2
# How the case relates to the person acting on it.
RELATIONS = {
    "own org, mine": CaseScope("ngo", ME, closed=False),
    "own org, unassigned": CaseScope("ngo", None, closed=False),
    "own org, a colleague's": CaseScope("ngo", OTHER, closed=False),
    "own org, closed": CaseScope("ngo", ME, closed=True),
    "shared with my org": CaseScope("mission", OTHER, closed=False, shared_with=frozenset({"ngo"})),
    "another org": CaseScope("mission", None, closed=False),
    "another org, shared elsewhere": CaseScope(
        "mission", None, closed=False, shared_with=frozenset({"bp3mi"})
    ),
}
A = Action
READ = {A.VIEW, A.NOTE}
WORK = {A.REPLY, A.STATUS, A.CLOSE, A.TRANSFER, A.SHARE, A.HAND_BACK, A.RELEASE}
NOTHING: set[Action] = set()
FLAG = {A.FLAG_URGENT}
ALLOWED = {
    "officer": {
        "own org, mine": READ | WORK | FLAG,
        "own org, unassigned": READ | FLAG | {A.CLAIM},
        "own org, a colleague's": READ | FLAG,
        "own org, closed": READ,
        "shared with my org": READ | FLAG,
        "another org": NOTHING,
        "another org, shared elsewhere": NOTHING,
    },
    "supervisor": {
        "own org, mine": READ | WORK | FLAG | {A.ASSIGN},
        "own org, unassigned": READ | WORK | FLAG | {A.CLAIM, A.ASSIGN},
        "own org, a colleague's": READ | WORK | FLAG | {A.CLAIM, A.ASSIGN},
        "own org, closed": READ,
        "shared with my org": READ | FLAG,
        "another org": NOTHING,
        "another org, shared elsewhere": NOTHING,
    },
    "editor": dict.fromkeys(RELATIONS, NOTHING),
    "admin": dict.fromkeys(RELATIONS, NOTHING),
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("relation", list(RELATIONS))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_matrix(role: str, relation: str, action: Action) -> None:
    actor = Actor(ME, role, "ngo")
    assert can(actor, action, RELATIONS[relation]) is (action in ALLOWED[role][relation])


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_staff_without_an_organisation_see_no_case(role: str) -> None:
    for scope in RELATIONS.values():
        for action in Action:
            assert not can(Actor(ME, role, None), action, scope)


@pytest.mark.parametrize(
    ("role", "queues", "reports", "staff", "content"),
    [
        ("officer", True, False, False, False),
        ("supervisor", True, True, False, False),
        ("editor", False, False, False, True),
        ("admin", False, False, True, True),
    ],
)
def test_pages_by_role(role: str, queues: bool, reports: bool, staff: bool, content: bool) -> None:
    actor = Actor(ME, role, "ngo" if role in ("officer", "supervisor") else None)
    assert may_see_queues(actor) is queues
    assert may_see_reports(actor) is reports
    assert may_manage_staff(actor) is staff
    assert may_check_content(actor) is content


@pytest.mark.parametrize(
    ("role", "organisation", "decides"),
    [
        ("officer", "mission", True),
        ("supervisor", "mission", True),
        ("officer", "ngo", False),  # the organisation that referred it
        ("supervisor", "bp3mi", False),  # a third organisation
        ("editor", "mission", False),
        ("admin", "mission", False),
        ("officer", None, False),
    ],
)
def test_only_the_receiving_organisation_decides_a_referral(
    role: str, organisation: str | None, decides: bool
) -> None:
    assert may_decide_referral(Actor(ME, role, organisation), "mission") is decides


@pytest.mark.parametrize(
    ("role", "organisation", "own", "network"),
    [
        ("officer", "ngo", False, False),
        ("supervisor", "ngo", True, True),  # "ngo" shares its figures
        ("supervisor", "mission", True, False),  # "mission" does not
        ("admin", None, False, True),
        ("admin", "mission", True, True),
        ("editor", None, False, False),
    ],
)
def test_reports_by_role(role: str, organisation: str | None, own: bool, network: bool) -> None:
    actor = Actor(ME, role, organisation)
    assert may_see_organisation_report(actor) is own
    assert may_see_network_report(actor, {"ngo"}) is network
