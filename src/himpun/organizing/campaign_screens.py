"""campaign screens."""
