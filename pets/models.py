"""Models of the pets app."""
