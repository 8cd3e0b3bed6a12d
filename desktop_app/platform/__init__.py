"""The platform API client: sign-in, the changes feed, orders, messages and actions.

No Qt here: the CLI, the sync engine and the tests use it bare. See `client.PlatformClient`.
"""

from .client import (
    ActionResult,
    ChangesPage,
    InvalidOrder,
    Merchant,
    MessagesPage,
    PlatformClient,
    is_loopback_host,
)
from .credentials import (
    KEYRING_SERVICE,
    CredentialStore,
    KeyringCredentials,
    MemoryCredentials,
    profile_key,
)
from .errors import (
    AuthenticationError,
    Conflict,
    CredentialStoreError,
    CursorExpired,
    IdempotencyKeyInUse,
    IdempotencyKeyProblem,
    InvalidTransition,
    NotFound,
    PlatformError,
    PreconditionRequired,
    RateLimited,
    RequestNotPending,
    ServerError,
    TransportError,
    UnexpectedResponse,
    ValidationFailed,
    VersionMismatch,
)

__all__ = [
    "KEYRING_SERVICE",
    "ActionResult",
    "AuthenticationError",
    "ChangesPage",
    "Conflict",
    "CredentialStore",
    "CredentialStoreError",
    "CursorExpired",
    "IdempotencyKeyInUse",
    "IdempotencyKeyProblem",
    "InvalidOrder",
    "InvalidTransition",
    "KeyringCredentials",
    "MemoryCredentials",
    "Merchant",
    "MessagesPage",
    "NotFound",
    "PlatformClient",
    "PlatformError",
    "PreconditionRequired",
    "RateLimited",
    "RequestNotPending",
    "ServerError",
    "TransportError",
    "UnexpectedResponse",
    "ValidationFailed",
    "VersionMismatch",
    "is_loopback_host",
    "profile_key",
]
