"""Views of the waste app: thin, one class per resource URL, one method per operation."""
