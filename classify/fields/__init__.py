"""Field extraction from an item's text, one module a field; these are the names the rest of
the project imports."""

from classify.fields.extraction import extract_fields, extract_fields_many
from classify.fields.noise import own_text
from classify.fields.people import clean_name
from classify.fields.postcodes import CANONICAL_POSTCODE, find_postcodes, normalise_postcode
from classify.fields.types import Extraction, ExtractionRequest, Landlord

__all__ = [
    "CANONICAL_POSTCODE",
    "Extraction",
    "ExtractionRequest",
    "Landlord",
    "clean_name",
    "extract_fields",
    "extract_fields_many",
    "find_postcodes",
    "normalise_postcode",
    "own_text",
]
