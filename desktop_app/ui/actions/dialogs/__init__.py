"""One dialog per operation that needs one (messages are written in the compose box)."""

from .base import DialogContext, OperationDialog
from .delivery import ConfirmDeliveryDialog, RefuseDeliveryDialog
from .extension import ExtensionDialog
from .refund import RefundDialog

__all__ = [
    "ConfirmDeliveryDialog",
    "DialogContext",
    "ExtensionDialog",
    "OperationDialog",
    "RefundDialog",
    "RefuseDeliveryDialog",
]
