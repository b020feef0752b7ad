"""target screens."""
