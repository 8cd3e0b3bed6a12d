"""What a CLI command works on: the data folder, the profile, and its session."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.app import ProfileRegistry, Session, resolve_data_dir

__all__ = ["Context"]


class Context:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.data_dir: Path = resolve_data_dir(options.data_dir)
        self.registry = ProfileRegistry(self.data_dir)
        self._session: Session | None = None

    @property
    def profile_name(self) -> str:
        return str(self.options.profile or self.registry.current_name())

    def session(self) -> Session:
        if self._session is None:
            self._session = Session.open(self.data_dir, self.profile_name)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
