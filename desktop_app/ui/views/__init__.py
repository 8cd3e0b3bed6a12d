"""Widgets of the main window; each is handed its model and services by its constructor."""
