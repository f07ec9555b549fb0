"""Readers and writers: they parse and write files, and never score."""
