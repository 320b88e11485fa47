"""Cited question answering over report collections: load, chunk, embed, retrieve, answer."""
