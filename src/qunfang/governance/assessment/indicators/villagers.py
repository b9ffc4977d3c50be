"""Assessment indicators from the villagers book."""
