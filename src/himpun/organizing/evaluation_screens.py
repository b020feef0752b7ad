"""evaluation screens."""
