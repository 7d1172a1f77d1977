"""The knowledge base: documents, curated entries, indexing and retrieval. No UI imports."""
