"""Persistence: SQLAlchemy 2 models, Alembic migrations, the raw-bytes store."""
