"""Qunfang (群防): community prevention and governance."""
