"""``python -m api.cli`` runs the same CLI as the ``fairpath`` script."""

import sys

from api.cli import main

sys.exit(main())
