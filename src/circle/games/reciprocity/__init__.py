"""The Reciprocity Game: the scoring rules, the ledger folded from the log, and its reports."""
