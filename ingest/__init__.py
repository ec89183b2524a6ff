"""The ingest room: files → load → normalise → chunk (+hash) → sync into the knowledge stores."""
