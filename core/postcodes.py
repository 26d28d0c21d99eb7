"""The shape of a UK postcode, which the OCR and the field extraction both read by."""

from __future__ import annotations

import re

# The Royal Mail grammar: outward code A9, A99, A9A, AA9, AA99, AA9A; inward code 9AA.
CANONICAL_POSTCODE = re.compile(
    r"^(?:GIR 0AA|(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r" [0-9][ABD-HJLNP-UW-Z]{2})$"
)
