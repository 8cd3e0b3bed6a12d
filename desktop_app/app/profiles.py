"""Profiles: one platform server and one merchant sign-in, each with its own cache file.

``profiles.json`` in the data folder lists them (no secret in it: the refresh token lives in
the OS keyring under the profile's key). The cache of a profile is named after its server and
its merchant id, so two merchants (or a sandbox and production) never share a database.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop_app.platform import profile_key

__all__ = ["DEFAULT_PROFILE", "Profile", "ProfileError", "ProfileRegistry"]

DEFAULT_PROFILE = "default"
_FILE = "profiles.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ProfileError(Exception):
    """No such profile, or one that is not signed in yet: say what to do."""


@dataclass(frozen=True)
class Profile:
    name: str
    server: str
    username: str
    merchant_id: str | None = None
    merchant_name: str | None = None
    settlement_currency: str | None = None

    @property
    def credential_key(self) -> str:
        return profile_key(self.username, self.server)

    def cache_path(self, data_dir: Path) -> Path:
        if not self.merchant_id:
            raise ProfileError(f"Profile {self.name!r} has not signed in yet: run login.")
        parts = urlsplit(self.server)
        server = f"{parts.hostname or 'server'}-{parts.port or parts.scheme}"
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{server}--{self.merchant_id}")
        return data_dir / "caches" / f"{slug}.sqlite3"


class ProfileRegistry:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._path = data_dir / _FILE

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self._path.read_text("utf-8"))
        except FileNotFoundError:
            return {"current": None, "profiles": {}}
        except (OSError, ValueError) as error:
            raise ProfileError(f"Cannot read {self._path}: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise ProfileError(f"{self._path} is not a profile list.")
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".profiles-", dir=self.data_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(self._path)

    def all(self) -> list[Profile]:
        return [Profile(**values) for values in self._load()["profiles"].values()]

    def current_name(self) -> str:
        current = self._load().get("current")
        return str(current) if current else DEFAULT_PROFILE

    def get(self, name: str | None = None) -> Profile:
        name = name or self.current_name()
        values = self._load()["profiles"].get(name)
        if values is None:
            raise ProfileError(
                f"There is no profile {name!r} in {self.data_dir}: "
                "run `orderdesk login --server URL --username NAME` first."
            )
        return Profile(**values)

    def save(self, profile: Profile, *, make_current: bool = True) -> None:
        if not _NAME.fullmatch(profile.name):
            raise ProfileError(
                "A profile name is 1-64 letters, digits, dots, dashes or underscores."
            )
        data = self._load()
        data["profiles"][profile.name] = asdict(profile)
        if make_current or not data.get("current"):
            data["current"] = profile.name
        self._save(data)
