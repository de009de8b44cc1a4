"""Loading and checking: YAML with positions → the frozen model → problems (no site, no PDF)."""
