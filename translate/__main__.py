"""``python -m translate`` runs the ``translate`` command."""

from .cli import main

raise SystemExit(main())
