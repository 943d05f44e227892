"""Awareness tests: the channel stubs (Telegram, Twilio) and editors' files in a tmp root."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from tests.channels.fixtures import *  # noqa: F403

HINT = "# yaml-language-server: $schema=../schema/awareness.schema.json\n"
SID_ID = "HX" + "1" * 32
SID_EN = "HX" + "2" * 32


def content_root(tmp_path: Path) -> Path:
    """A root with the real schemas and an empty flows/awareness/."""
    import shutil

    from bot.settings import PROJECT_ROOT

    root = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "flows" / "schema", root / "flows" / "schema")
    (root / "flows" / "awareness").mkdir(parents=True)
    return root


def write_notice(
    root: Path,
    name: str,
    *,
    countries: str = "all",
    send_after: str = "2026-01-01",
    expires: str = "2030-01-01",
    whatsapp: str = "",
    extra: str = "",
) -> Path:
    body = dedent(
        f"""\
        reviewed: 2026-12-01
        sources:
          - url: https://example.org/source
            title: A source
        countries: {countries}
        send_after: {send_after}
        expires: {expires}
        text:
          id: "Awas lowongan palsu ({name})."
          en: "Beware of fake job ads ({name})."
        """
    )
    path = root / "flows" / "awareness" / f"{name}.yml"
    path.write_text(HINT + body + whatsapp + extra, encoding="utf-8")
    return path


TEMPLATES = f"""\
whatsapp:
  id:
    content_sid: {SID_ID}
    variables:
      "1": "lowongan palsu"
  en:
    content_sid: {SID_EN}
"""
