"""The indicators and vetoes, one module per app whose records they read."""
