"""``python -m alliance_metrics`` runs the command-line interface."""

from alliance_metrics.cli import main

raise SystemExit(main())
