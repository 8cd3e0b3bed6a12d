"""Acting on orders: a dialog per operation (with a second confirmation where it cannot be
undone), the compose box, bulk actions, pending operations and the open order's sync state.

Every operation is written to the outbox (with its optimistic effect) through `ActionService`,
off the GUI thread, before its dialog closes; the sync engine sends it.
"""

from .controller import PENDING_SHORTCUT, SHORTCUTS, ActionController
from .service import ActionProblem, ActionService, OutboxStore

__all__ = [
    "PENDING_SHORTCUT",
    "SHORTCUTS",
    "ActionController",
    "ActionProblem",
    "ActionService",
    "OutboxStore",
]
