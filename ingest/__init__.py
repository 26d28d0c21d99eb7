"""Ingestion: raw bytes from the mailbox or the scan folder into plain `IntakeItem`s."""
