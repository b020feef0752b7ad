"""contact screens."""
