"""Classification and field extraction: plain functions over an `IntakeItem`'s text."""
