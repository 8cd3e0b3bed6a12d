"""App services: data folders, profiles, sign-in and the sync runner (shared by GUI and CLI).

No widgets here; the GUI and the CLI are two front ends on these services.
"""

from .paths import DATA_DIR_ENV, resolve_data_dir
from .profiles import DEFAULT_PROFILE, Profile, ProfileError, ProfileRegistry
from .session import Session, sign_in

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_PROFILE",
    "Profile",
    "ProfileError",
    "ProfileRegistry",
    "Session",
    "resolve_data_dir",
    "sign_in",
]
