"""``python -m alliance_metrics`` runs the command-line interface."""

from alliance_metrics.cli import main

if __name__ == "__main__":  # worker processes started by spawn import this module again
    raise SystemExit(main())
