"""``python -m histfmt`` runs the command line."""

from histfmt.cli import main

main()
