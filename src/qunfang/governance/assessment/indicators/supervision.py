"""Assessment indicators from the supervision book."""
