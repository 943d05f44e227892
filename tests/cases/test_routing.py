"""Routing rules and urgency: the shipped flows/routing.yml, and rules as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cases import CaseFacts, Directory, is_urgent, route
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(PROJECT_ROOT)


@pytest.mark.parametrize(
    ("facts", "queue"),
    [
        # Urgent cases go to the mission of the country, or Kemlu's 24-hour desk.
        (CaseFacts("complaint", "abuse_violence", "MY", urgent=True), "kbri-kl-protection"),
        (CaseFacts("emergency", None, "HK", urgent=True), "kjri-hk-protection"),
        (CaseFacts("complaint", "trafficking_scam", "TW", urgent=True), "kdei-taipei-protection"),
        (CaseFacts("emergency", None, "KR", urgent=True), "kemlu-protection"),
        (CaseFacts("emergency", None, None, urgent=True), "kemlu-protection"),
        # By category, and category with country.
        (CaseFacts("complaint", "recruitment_fees", "HK"), "jbmi-paralegal"),
        # By the worker's home province: that province's office, else the national desk.
        (
            CaseFacts("complaint", "recruitment_fees", "MY", province="jawa_timur"),
            "disnakertrans-jatim-mediation",
        ),
        (
            CaseFacts("complaint", "recruitment_fees", "MY", province="jawa_barat"),
            "kemenp2mi-complaints",
        ),
        (
            CaseFacts("complaint", "repatriation", "SA", province="jawa_timur"),
            "bp3mi-jatim-complaints",
        ),
        (
            CaseFacts("complaint", "repatriation", "SA", province="nusa_tenggara_barat"),
            "bp3mi-ntb-complaints",
        ),
        (
            CaseFacts("complaint", "social_security", "TW", province="jawa_tengah"),
            "bp3mi-jateng-complaints",
        ),
        (
            CaseFacts("complaint", "lost_contact", "MY", province="nusa_tenggara_timur"),
            "bp3mi-ntt-complaints",
        ),
        (CaseFacts("complaint", "repatriation", "SA"), "kemenp2mi-complaints"),
        (CaseFacts("complaint", "repatriation", "SA", province="papua"), "kemenp2mi-complaints"),
        # Urgency and the mission come before the home province.
        (
            CaseFacts("complaint", "repatriation", "MY", urgent=True, province="jawa_timur"),
            "kbri-kl-protection",
        ),
        (CaseFacts("complaint", "wages_unpaid", "MY"), "sbmi-paralegal"),
        # The worker's choice wins over everything after it.
        (
            CaseFacts("complaint", "wages_unpaid", "HK", choice="migrantcare"),
            "migrantcare-casework",
        ),
        (
            CaseFacts("complaint", "abuse_violence", "HK", urgent=True, choice="sbmi"),
            "sbmi-paralegal",
        ),
        # No rule: the default queue.
        (CaseFacts("talk_to_human"), "migrantcare-casework"),
        (CaseFacts("complaint", "health_accident", "SG"), "migrantcare-casework"),
    ],
)
def test_shipped_rules_route_cases(directory: Directory, facts: CaseFacts, queue: str) -> None:
    routed = route(directory, facts)
    assert routed.queue.id == queue
    assert routed.queue.organisation == directory.queues[queue].organisation


def test_routed_names_the_rule(directory: Directory) -> None:
    assert route(directory, CaseFacts("talk_to_human")).rule == "default"
    assert "Malaysia" in route(directory, CaseFacts("emergency", None, "MY", urgent=True)).rule


def test_a_missing_home_province_is_said_where_the_case_keeps_its_routing(
    directory: Directory,
) -> None:
    unknown = route(directory, CaseFacts("complaint", "repatriation", "SA"))
    assert unknown.missing == "home province unknown"
    assert unknown.explained.endswith("(home province unknown)")
    far = route(directory, CaseFacts("complaint", "repatriation", "SA", province="papua_tengah"))
    assert far.missing == "no bp3mi office listed for Papua Tengah"
    found = route(directory, CaseFacts("complaint", "repatriation", "SA", province="lampung"))
    assert found.missing is None and found.explained == found.rule
    assert found.queue.organisation == "bp3mi-lampung"


def test_every_listed_office_takes_cases_in_an_organisation_of_its_kind(
    directory: Directory,
) -> None:
    assert directory.offices
    for office in directory.offices:
        organisation = directory.organisations[directory.queues[office.queue].organisation]
        assert organisation.kind == office.kind
        for province in office.provinces:
            assert directory.office_for(office.kind, province) == office


OFFICES = """\
reviewed: 2026-12-01
offices:
  - id: one
    kind: bp3mi
    queue: bp3mi-a
    provinces: [bali]
    sources: [{url: "https://example.org", title: T}]
"""
BP3MI_ORG = """\
  - id: bp3mi-x
    name: A BP3MI
    kind: bp3mi
    queues:
      - {id: bp3mi-a, name: A, time_limit: 60}
"""
OFFICE_ROUTING = (
    "default: ngo-a\nrules:\n  - {when: {category: [repatriation]}, office: bp3mi, queue: ngo-b}\n"
)


def test_office_rules_route_by_home_province(tmp_path: Path) -> None:
    root = _flows(tmp_path, ORGS + BP3MI_ORG, OFFICE_ROUTING)
    without = Directory.load(root)  # no offices.yml: the rule's own queue
    assert (
        route(without, CaseFacts("complaint", "repatriation", province="bali")).queue.id == "ngo-b"
    )
    (root / "flows/offices.yml").write_text(OFFICES)
    directory = Directory.load(root)
    bali = route(directory, CaseFacts("complaint", "repatriation", province="bali"))
    assert bali.queue.id == "bp3mi-a" and bali.missing is None
    aceh = route(directory, CaseFacts("complaint", "repatriation", province="aceh"))
    assert aceh.queue.id == "ngo-b" and aceh.missing == "no bp3mi office listed for Aceh"


@pytest.mark.parametrize(
    ("offices", "line", "message"),
    [
        (OFFICES.replace("[bali]", "[balli]"), 6, "unknown province 'balli'"),
        (OFFICES.replace("queue: bp3mi-a", "queue: ngo-a"), 5, "not of kind 'bp3mi'"),
        (
            OFFICES + OFFICES.split("offices:\n")[1].replace("id: one", "id: two"),
            11,
            "'bali' is served by 'one' already",
        ),
    ],
)
def test_offices_are_checked(tmp_path: Path, offices: str, line: int, message: str) -> None:
    from bot.cases import check_directory

    root = _flows(tmp_path, ORGS + BP3MI_ORG, OFFICE_ROUTING)
    (root / "flows/offices.yml").write_text(offices)
    errors = [p for p in check_directory(root) if p.severity == "error"]
    assert any(p.line == line and message in p.message for p in errors), errors


def test_an_office_rule_without_offices_of_its_kind_is_a_warning(tmp_path: Path) -> None:
    from bot.cases import check_directory

    routing = OFFICE_ROUTING.replace("office: bp3mi", "office: disnakertrans")
    root = _flows(tmp_path, ORGS + BP3MI_ORG, routing)
    (root / "flows/offices.yml").write_text(OFFICES)
    problems = check_directory(root)
    assert not [p for p in problems if p.severity == "error"]
    warnings = [p.message for p in problems if p.severity == "warning"]
    assert any("no disnakertrans office" in w for w in warnings), warnings


@pytest.mark.parametrize(
    ("source", "category", "hint", "record", "urgent"),
    [
        ("complaint", "abuse_violence", None, None, True),
        ("complaint", "trafficking_scam", None, None, True),
        ("emergency", None, None, None, True),
        ("complaint", "wages_unpaid", None, None, False),
        ("complaint", "wages_unpaid", "urgent", None, True),
        ("complaint", "wages_unpaid", None, {"safe_now": False}, True),
        ("complaint", "wages_unpaid", None, {"safe_now": True}, False),
        ("complaint", "legal_status", None, {"detained": True}, True),
        ("complaint", "health_accident", None, {"death": True}, True),
        ("talk_to_human", None, None, None, False),
    ],
)
def test_urgency(
    directory: Directory,
    source: str,
    category: str | None,
    hint: str | None,
    record: dict[str, bool] | None,
    urgent: bool,
) -> None:
    routing = directory.routing
    assert (
        is_urgent(routing, source=source, category=category, priority_hint=hint, record=record)
        is urgent
    )


def _flows(tmp_path: Path, organisations: str, routing: str) -> Path:
    flows = tmp_path / "flows"
    (flows / "schema").mkdir(parents=True)
    for schema in (PROJECT_ROOT / "flows" / "schema").glob("*.json"):
        (flows / "schema" / schema.name).write_text(schema.read_text())
    (flows / "organisations.yml").write_text(organisations)
    (flows / "routing.yml").write_text(routing)
    (flows / "canned_replies.yml").write_text("replies: []\n")
    return tmp_path


ORGS = """\
organisations:
  - id: ngo
    name: An NGO
    kind: ngo
    queues:
      - {id: ngo-a, name: A, time_limit: 60}
      - id: ngo-b
        name: B
        time_limit: 60
        hours: {timezone: Asia/Jakarta, days: [mon], open: "08:00", close: "17:00"}
"""


def test_rules_are_data(tmp_path: Path) -> None:
    root = _flows(
        tmp_path,
        ORGS,
        "default: ngo-a\nrules:\n  - {when: {source: [talk_to_human]}, queue: ngo-b}\n",
    )
    directory = Directory.load(root)
    assert route(directory, CaseFacts("talk_to_human")).queue.id == "ngo-b"
    assert route(directory, CaseFacts("complaint", "wages_unpaid")).queue.id == "ngo-a"


def test_check_names_file_and_line_of_each_problem(tmp_path: Path) -> None:
    from bot.cases import check_directory

    root = _flows(
        tmp_path,
        ORGS.replace("Asia/Jakarta", "Asia/Atlantis"),
        "default: nowhere\n"
        "rules:\n"
        "  - when: {category: [wages]}\n"
        "    queue: ngo-a\n"
        "  - when: {country: [MY], choice: [unknown-org]}\n"
        "    queue: ngo-c\n",
    )
    problems = {(p.path.as_posix(), p.line, p.message) for p in check_directory(root)}
    assert ("flows/organisations.yml", 10, "unknown time zone 'Asia/Atlantis'") in problems
    assert (
        "flows/routing.yml",
        1,
        "unknown queue 'nowhere' (see flows/organisations.yml)",
    ) in problems
    assert ("flows/routing.yml", 3, "unknown category 'wages'") in problems
    assert ("flows/routing.yml", 5, "unknown organisation 'unknown-org'") in problems
    assert (
        "flows/routing.yml",
        6,
        "unknown queue 'ngo-c' (see flows/organisations.yml)",
    ) in problems


def test_schema_errors_are_located(tmp_path: Path) -> None:
    from bot.cases import DirectoryError

    root = _flows(
        tmp_path,
        ORGS.replace("time_limit: 60}", "time_limit: soon}", 1),
        "default: ngo-a\nrules: []\n",
    )
    with pytest.raises(DirectoryError) as error:
        Directory.load(root)
    [problem] = error.value.problems
    assert problem.line == 6
    assert "time_limit" in problem.message


def test_a_rule_an_earlier_rule_always_wins_over_is_a_warning(tmp_path: Path) -> None:
    from bot.cases import check_directory

    root = _flows(
        tmp_path,
        ORGS,
        "default: ngo-a\nrules:\n"
        "  - {name: all urgent, when: {urgent: true}, queue: ngo-a}\n"
        "  - {name: urgent MY, when: {urgent: true, country: [MY]}, queue: ngo-b}\n",
    )
    [problem] = check_directory(root)
    assert problem.severity == "warning" and problem.line == 4
    assert "never applies" in problem.message


def test_shipped_flows_are_clean() -> None:
    from bot.cases import check_directory

    assert check_directory(PROJECT_ROOT) == []


def test_a_chosen_organisation_without_a_rule_gets_its_first_queue(directory: Directory) -> None:
    """The web chat widget of a partner that routing.yml does not name (its case goes there)."""
    urgent = CaseFacts("talk_to_human", "abuse_violence", "MY", urgent=True, choice="jbmi")
    assert route(directory, urgent).queue.id == "jbmi-paralegal"
    assert route(directory, urgent).rule == "chosen organisation: jbmi"
    # A partner with a rule of its own follows the rule; an unknown id is no choice at all.
    assert route(directory, CaseFacts("talk_to_human", choice="sbmi")).queue.id == "sbmi-paralegal"
    unknown = CaseFacts("talk_to_human", choice="nobody")
    assert route(directory, unknown).queue.id == directory.routing.default


def test_an_organisation_opts_in_to_the_network_report(tmp_path: Path) -> None:
    from bot.cases import DirectoryError

    shares = ORGS.replace("    kind: ngo\n", "    kind: ngo\n    network_reports: true\n")
    root = _flows(tmp_path, shares, "default: ngo-a\nrules: []\n")
    assert Directory.load(root).organisations["ngo"].network_reports is True
    root = _flows(tmp_path / "default", ORGS, "default: ngo-a\nrules: []\n")
    assert Directory.load(root).organisations["ngo"].network_reports is False
    wrong = ORGS.replace("    kind: ngo\n", "    kind: ngo\n    network_reports: yes please\n")
    root = _flows(tmp_path / "wrong", wrong, "default: ngo-a\nrules: []\n")
    with pytest.raises(DirectoryError) as error:
        Directory.load(root)
    [problem] = error.value.problems
    assert problem.line == 5 and "network_reports" in problem.message
