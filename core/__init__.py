"""Plumbing any app may use: the mail seam, log redaction, task upkeep. Imports no app of ours."""
