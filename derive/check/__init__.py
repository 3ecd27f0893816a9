"""derive check: read a student's typed LaTeX answer (parse) and say back how it was read (readback)."""
