"""PDF operations on client files: court fit (preflight, compression, splitting) and more."""
