"""Model backends: the one place that runs a translation model.

A backend turns a batch of source sentences into hypotheses; it knows nothing of
documents or paragraphs. ``TransformersBackend`` is the reference implementation.
"""

from .base import Backend, DecodingOptions, Hypothesis

__all__ = ["Backend", "DecodingOptions", "Hypothesis"]
