"""The games and practices circle runs on top of sessions: the Reciprocity Game, Two Loops, open space, group kinds."""
