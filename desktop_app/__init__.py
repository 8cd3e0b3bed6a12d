"""OrderDesk: service orders for cross-border merchants' operators, online and offline."""

__version__ = "0.1.0"
