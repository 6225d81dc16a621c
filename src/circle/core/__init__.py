"""The ground floor: clock, durations, errors, events, names, local time, files and resources; no imports above."""
