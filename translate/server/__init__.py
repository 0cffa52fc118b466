"""``translate serve``: the translation engine behind HTTP APIs people's apps already speak.

Layout (each module one job; data flows down):

- ``options.py``  — :class:`ServeOptions`, every server setting, defined once (flags derive from it);
- ``batcher.py``  — one queue for the sentences of every request in flight, decoded together;
- ``service.py``  — what the endpoints call: translate texts/documents, detect, list languages;
- ``markup.py``   — HTML fragments: block elements become paragraphs, inline tags ride through;
- ``security.py`` — API keys, rate and size limits, URL permissions (SSRF), CORS, CSP;
- ``metrics.py``  — Prometheus counters and histograms of one app;
- ``errors.py``   — :class:`ApiError`, answered in each API's own error shape;
- ``api/``        — one module per API: ``libretranslate``, ``deepl``, ``imme`` (DeepLX),
                    ``native`` (``/v1/...``), ``web`` (the page at ``/``);
- ``app.py``      — builds the FastAPI app from the above;
- ``run.py``      — runs it under uvicorn (signals, shutdown); ``ray_serve.py`` — on Ray Serve.

Nothing here is imported by the rest of ``translate``; the server uses only the public
:class:`~translate.Translator` API.
"""
