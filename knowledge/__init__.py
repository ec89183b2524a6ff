"""The knowledge room: what Lastmile knows and how it finds it (embedder, indexes, document registry).

Imports neither `assistant` nor `ingest`: both depend on it, never the reverse.
"""
