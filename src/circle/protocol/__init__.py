"""Protocols: the pydantic models, the YAML loader with positions, its parse cache, and the methods library."""
