"""The PySide6 window: models over the store, views, the detail tabs, the demo launcher.

Only this package imports Qt. It reads the local cache through the store's read API and learns
of changes from the sync engine through `sync_bridge`; it never waits on the network.
"""
