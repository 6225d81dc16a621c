"""`python -m circle`: the same as the `circle` command."""

import sys

from circle.cli import main

if __name__ == "__main__":  # importing it (a walk over every module) runs nothing
    sys.exit(main())
