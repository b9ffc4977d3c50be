"""Patrol forms, one module per area of the views (`planning`, `records`, `self`)."""
