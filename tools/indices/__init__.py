"""Indices: definitions, the built-in catalogue (+ user TOML), and the engine that builds levels."""
