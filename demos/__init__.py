"""Live demos: one module per demo in demos/library/, a registry, a runner, device choice.

Nothing here imports Textual; torch is imported inside each demo's run(), so listing
demos is cheap.
"""
