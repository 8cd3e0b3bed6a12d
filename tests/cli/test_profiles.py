"""Data folders and profiles: where things live, one cache per server and merchant."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.app import (
    DATA_DIR_ENV,
    Profile,
    ProfileError,
    ProfileRegistry,
    resolve_data_dir,
)


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv(DATA_DIR_ENV)
    assert resolve_data_dir(None).name == "OrderDesk"


def test_profiles_are_saved_and_the_last_signed_in_is_current(tmp_path: Path) -> None:
    registry = ProfileRegistry(tmp_path)
    with pytest.raises(ProfileError, match="login"):
        registry.get()
    first = Profile("shop", "http://127.0.0.1:8750", "demo", "mer_1", "Demo", "USD")
    second = Profile("other", "https://platform.example", "ann", "mer_2", "Ann", "EUR")
    registry.save(first)
    registry.save(second)
    assert registry.current_name() == "other"
    assert registry.get("shop") == first
    assert {p.name for p in registry.all()} == {"shop", "other"}
    with pytest.raises(ProfileError):
        registry.save(Profile("../evil", "http://127.0.0.1:1", "x"))
    assert "password" not in (tmp_path / "profiles.json").read_text()


def test_one_cache_per_server_and_merchant(tmp_path: Path) -> None:
    a = Profile("a", "http://127.0.0.1:8750", "demo", "mer_1")
    b = Profile("b", "http://127.0.0.1:8751", "demo", "mer_1")
    c = Profile("c", "http://127.0.0.1:8750", "rival", "mer_2")
    paths = {p.cache_path(tmp_path) for p in (a, b, c)}
    assert len(paths) == 3 and all(p.parent == tmp_path / "caches" for p in paths)
    assert a.cache_path(tmp_path) == Profile("z", a.server, "x", "mer_1").cache_path(tmp_path)
    with pytest.raises(ProfileError, match="login"):
        Profile("new", "http://127.0.0.1:1", "demo").cache_path(tmp_path)
    assert a.credential_key == "demo@127.0.0.1:8750"
