"""PDF operations: preflight, splitting to a size limit, stamping."""
