"""``python -m summarize`` runs the ``summarize`` command."""

from .cli import main

raise SystemExit(main())
