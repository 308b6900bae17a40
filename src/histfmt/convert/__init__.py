"""Converters between histfmt and its neighbours, one module each."""
