"""Models of the books app."""
