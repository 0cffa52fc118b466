"""Feed jobs, on top of the pipeline: ``sniff`` (is the input a feed?), ``gather`` (feeds and OPML
lists → items, fetched politely by ``fetching``, remembered by ``state``), ``work`` (an item read and
translated, in any engine), ``run`` (new items through the corpus engine, results back in feed order),
``translated`` (``translate FEED``); their options in ``options``."""
