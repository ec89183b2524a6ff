"""Conversations, handoffs and users in SQL (SQLAlchemy 2; SQLite by default, PostgreSQL by URL)."""
