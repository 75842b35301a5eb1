"""Models of the waste app."""
