"""Digests of news articles at several lengths (see issue 3)."""
