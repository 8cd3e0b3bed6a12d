"""The selected order's detail: Overview, Finances, Requirements, Messages, History."""

from .pane import DetailSource, OrderDetailPane

__all__ = ["DetailSource", "OrderDetailPane"]
