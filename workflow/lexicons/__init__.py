"""Data files: the hazard severity rules and the adjustments lexicon (TOML)."""
