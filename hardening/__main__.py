"""``python -m hardening`` runs the command line."""

from hardening.cli.main import main

raise SystemExit(main())
