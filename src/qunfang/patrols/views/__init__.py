"""Patrol pages, one module per area (`planning`, `records`, `self`, `display`), routed by the
module of the same name in `urls/`. Thin: parse, call a service or selector, render."""
