"""Reviewing a change: the semantic diff, its reports, the visual diff and reading from git."""
