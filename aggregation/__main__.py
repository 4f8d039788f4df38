"""``python -m aggregation <command>``: simulate, build, bench."""

import sys

from aggregation.cli import main

sys.exit(main(sys.argv[1:]))
