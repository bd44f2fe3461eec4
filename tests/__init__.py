"""compgraph's tests; the helpers shared between them are imported as ``tests.<module>``."""
