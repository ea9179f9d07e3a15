"""Productions: Bates-numbered volumes with DAT/OPT load files, families, hashes and a
privilege log (issue 19)."""
