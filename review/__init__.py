"""The triage officers' review web app (`triage web`): the queue, items and cases."""
