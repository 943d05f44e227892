"""Editors' awareness files: validated by the schema, checked by `helpline check`."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from bot.awareness.content import load
from bot.checks import check_all
from bot.settings import PROJECT_ROOT
from tests.awareness.conftest import SID_ID, TEMPLATES, content_root, write_notice

TODAY = date(2026, 12, 2)


def test_a_valid_message_loads_with_its_times_in_utc(tmp_path: Path) -> None:
    root = content_root(tmp_path)
    write_notice(
        root,
        "hk-wage",
        countries="[HK, TW]",
        send_after='"2026-12-03 09:00"',
        expires="2026-12-31",
        whatsapp=TEMPLATES,
    )
    (notice,), problems = load(root, TODAY)
    assert problems == []
    assert notice.id == "hk-wage" and notice.countries == {"HK", "TW"}
    # Times without an offset are WIB (UTC+7); a date alone as expiry is the end of that day.
    assert notice.send_after == datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert notice.expires == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert notice.template_for("id") is not None
    assert notice.template_for("id").content_sid == SID_ID  # type: ignore[union-attr]
    assert notice.for_country("HK") and not notice.for_country("MY")
    assert not notice.for_country(None)
    assert not notice.due(datetime(2026, 12, 3, 1, 59, tzinfo=UTC))
    assert notice.due(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    assert not notice.due(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))


def test_mistakes_are_reported_with_file_and_line(tmp_path: Path) -> None:
    root = content_root(tmp_path)
    write_notice(root, "no-english").write_text(
        write_notice(root, "no-english").read_text().replace('  en: "Beware', '  xx: "Beware')
    )
    write_notice(root, "bad-country", countries="[XX]")
    write_notice(root, "backwards", send_after="2026-12-10", expires="2026-12-01")
    write_notice(
        root,
        "bad-sid",
        whatsapp='whatsapp:\n  id:\n    content_sid: "not-a-sid"\n',
    )
    write_notice(root, "bad-time", send_after='"3 Desember"')
    notices, problems = load(root, TODAY)
    assert notices == []
    text = "\n".join(str(p) for p in problems)
    assert "no-english.yml:" in text and "'en' is a required property" in text
    assert "bad-country.yml:6: unknown country code 'XX'" in text
    assert "backwards.yml:8: expires before send_after" in text
    assert "bad-sid.yml:" in text and "content_sid" in text
    assert "bad-time.yml:7:" in text
    assert all(p.severity == "error" for p in problems)


def test_a_message_without_templates_is_valid_but_warned_about(tmp_path: Path) -> None:
    root = content_root(tmp_path)
    write_notice(root, "telegram-only")
    notices, problems = load(root, TODAY)
    assert len(notices) == 1
    (problem,) = problems
    assert problem.severity == "warning" and "no approved WhatsApp template for id, en" in str(
        problem
    )


def test_helpline_check_includes_awareness(tmp_path: Path) -> None:
    shipped = [p for p in check_all(PROJECT_ROOT) if "flows/awareness/" in p.path.as_posix()]
    assert [p for p in shipped if p.severity == "error"] == []
    for folder in ("flows", "nlu_data"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    write_notice(tmp_path, "broken", countries="[XX]")
    found = [str(p) for p in check_all(tmp_path) if p.severity == "error"]
    assert found == ["flows/awareness/broken.yml:6: unknown country code 'XX'"]
