"""Policy decisions: complaints policies as data, working-day deadlines, case staging."""
