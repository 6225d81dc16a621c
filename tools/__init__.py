"""The test harness, not the product: the gallery of screens and the crash trials (never shipped in the wheel)."""
