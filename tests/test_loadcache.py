"""The start-up cache of parsed, checked content (bot/loadcache.py): what it returns is what the
files give, and any change to them (or to the code) reads them again, with the same errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import loadcache
from bot.cases.directory import Directory, DirectoryError
from bot.content import Content, ContentError
from bot.content import content as content_module
from bot.dialogue.flows import FlowError, FlowLibrary
from bot.dialogue.flows import library as library_module
from bot.runtime import _vocabulary
from bot.settings import PROJECT_ROOT

WAGES = "flows/answers/wages_unpaid.yml"
FLOW = "flows/complaints/wages_unpaid.yml"
MARKER = "DISIMPAN-77"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT / "flows", root / "flows")
    return root


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache"


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted(cache.glob(f"{kind}-*.pkl"))


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    text = (root / rel).read_text(encoding="utf-8")
    assert old in text
    (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading the files fails the test: only the cache can answer."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the files were read again")

    monkeypatch.setattr(content_module, "build", fail)
    monkeypatch.setattr(library_module.loader, "load", fail)
    monkeypatch.setattr("bot.cases.directory._load", fail)


def test_a_second_load_of_unchanged_files_comes_from_the_cache_and_is_the_same(
    root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = Content.load(root, cache)
    flows = FlowLibrary.load(root, cache)
    directory = Directory.load(root, cache)
    for kind in ("content", "flows", "directory"):
        assert len(_entries(cache, kind)) == 1, kind
    _no_reading(monkeypatch)
    again = Content.load(root, cache)
    assert again._catalogue == content._catalogue
    assert again._renders == content._renders
    assert again.answer("wages_unpaid", "en", "HK") == content.answer("wages_unpaid", "en", "HK")
    assert again.menu("id") == content.menu("id")
    assert FlowLibrary.load(root, cache).flows() == flows.flows()
    assert Directory.load(root, cache) == directory


def test_what_the_cache_holds_is_what_the_files_give(root: Path, cache: Path) -> None:
    Content.load(root, cache)
    FlowLibrary.load(root, cache)
    Directory.load(root, cache)
    cached = Content.load(root, cache)
    fresh = Content.load(root)
    assert cached._catalogue == fresh._catalogue
    assert cached._renders == fresh._renders
    assert cached._country_specific == fresh._country_specific
    fresh_flows = FlowLibrary.load(root).flows()
    assert fresh_flows and FlowLibrary.load(root, cache).flows() == fresh_flows
    assert Directory.load(root, cache) == Directory.load(root)


def test_an_edited_file_is_read_again(root: Path, cache: Path) -> None:
    before = Content.load(root, cache)
    assert MARKER not in before.answer("wages_unpaid", "id", None).text
    _edit(root, WAGES, "Simpan bukti", f"{MARKER} Simpan bukti")
    after = Content.load(root, cache)
    assert MARKER in after.answer("wages_unpaid", "id", None).text
    assert len(_entries(cache, "content")) == 1  # the old entry is gone
    # An edit back to the old bytes (an editor undoing a publication) is the old content.
    _edit(root, WAGES, f"{MARKER} Simpan bukti", "Simpan bukti")
    assert MARKER not in Content.load(root, cache).answer("wages_unpaid", "id", None).text


def test_an_error_in_a_changed_file_is_reported_as_without_the_cache(
    root: Path, cache: Path
) -> None:
    Content.load(root, cache)
    FlowLibrary.load(root, cache)
    Directory.load(root, cache)
    _edit(root, WAGES, "intent: wages_unpaid", "intent: no_such_intent")
    with pytest.raises(ContentError) as uncached:
        Content.load(root)
    with pytest.raises(ContentError) as cached:
        Content.load(root, cache)
    assert cached.value.problems == uncached.value.problems
    _edit(root, FLOW, "steps:", "stepz:")
    with pytest.raises(FlowError) as flow_uncached:
        FlowLibrary.load(root)
    with pytest.raises(FlowError) as flow_cached:
        FlowLibrary.load(root, cache)
    assert flow_cached.value.problems == flow_uncached.value.problems
    _edit(root, "flows/routing.yml", "rules:", "rulez:")
    with pytest.raises(DirectoryError) as dir_uncached:
        Directory.load(root)
    with pytest.raises(DirectoryError) as dir_cached:
        Directory.load(root, cache)
    assert dir_cached.value.problems == dir_uncached.value.problems
    # Still refused on the next load: an error is never stored.
    with pytest.raises(ContentError):
        Content.load(root, cache)


def test_a_schema_change_is_read_again(root: Path, cache: Path) -> None:
    Content.load(root, cache)
    schema = root / "flows/schema/answer.schema.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"intent"', '"intent_renamed"', 1),
        encoding="utf-8",
    )
    with pytest.raises(ContentError):
        Content.load(root, cache)


def test_a_reload_of_the_flows_reads_an_edit_and_refuses_an_error(root: Path, cache: Path) -> None:
    library = FlowLibrary.load(root, cache)
    _edit(root, FLOW, "steps:", "stepz:")
    assert library.reload(root)  # refused, with its problems
    assert library.flows()  # the last good flows keep serving
    _edit(root, FLOW, "stepz:", "steps:")
    assert library.reload(root) == []


def test_files_that_change_while_being_read_are_not_stored(root: Path, cache: Path) -> None:
    def load() -> str:
        _edit(root, WAGES, "Simpan bukti", f"{MARKER} Simpan bukti")
        return "read from the old bytes"

    files = lambda: loadcache.tree(root / "flows")  # noqa: E731
    assert loadcache.cached(cache, "content", root, files, load, str) == "read from the old bytes"
    assert _entries(cache, "content") == []


def test_another_code_version_is_another_key(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = loadcache.tree(root / "flows")
    key = loadcache.files_key("content", root, files)
    assert loadcache.files_key("content", root, files) == key
    assert loadcache.files_key("flows", root, files) != key
    monkeypatch.setattr(loadcache, "code_version", lambda: "other code")
    assert loadcache.files_key("content", root, files) != key


def test_another_checkout_is_another_key(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(root / "flows", other / "flows")
    assert loadcache.files_key("directory", root, loadcache.tree(root / "flows")) != (
        loadcache.files_key("directory", other, loadcache.tree(other / "flows"))
    )


def test_a_damaged_entry_is_read_again(root: Path, cache: Path) -> None:
    Directory.load(root, cache)
    (entry,) = _entries(cache, "directory")
    entry.write_bytes(b"not a pickle")
    assert Directory.load(root, cache) == Directory.load(root)
    assert entry.read_bytes() != b"not a pickle"  # stored again


def test_a_cache_directory_that_is_a_file_still_loads(root: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    assert Directory.load(root, blocked) == Directory.load(root)


def test_the_vocabulary_is_cached_on_the_training_files(tmp_path: Path) -> None:
    data = tmp_path / "nlu_data"
    (data / "id").mkdir(parents=True)
    (data / "id" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - halo kakak\n',
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    words = _vocabulary.__wrapped__(data, cache)
    assert {"halo", "kakak"} <= words
    assert len(_entries(cache, "vocabulary")) == 1
    (data / "id" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - selamat pagi\n',
        encoding="utf-8",
    )
    words = _vocabulary.__wrapped__(data, cache)
    assert "pagi" in words and "kakak" not in words
