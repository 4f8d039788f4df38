"""``python -m aggregation <command>``: simulate, build, bench."""

import sys

from aggregation.cli import main

if __name__ == "__main__":  # the build's worker processes import this module too; they must not run it
    sys.exit(main(sys.argv[1:]))
