"""``python -m compgraph``: the ``compgraph`` command."""

import sys

from compgraph.cli import main

if __name__ == "__main__":  # not when the doctests import this module
    sys.exit(main())
