"""The post room's letters as they really arrive: letter content (data/letters/*.jsonl) drawn
as pages (sender's block right or left, letterheads, the landlord's complaint form, stamps,
punched holes, fax-grade and carbon copies, a handwritten hand) and scanned into image-only
PDFs, deterministic from a seed. Used by the tests, `triage evaluate` (the letters
development set) and bench/; it imports nothing of the product."""
