"""Qt item models over the store: the order table, the status views, the detail lists."""
