"""Benchmarks (scripts that print numbers) and the model factory they share with the tests.

A regular package on purpose: pysbd installs a stray top-level ``benchmarks`` package, which
would otherwise shadow this folder when imported as ``benchmarks.factory``.
"""
