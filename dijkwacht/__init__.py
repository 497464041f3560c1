"""Dijkwacht: the municipal information position on undermining crime."""
