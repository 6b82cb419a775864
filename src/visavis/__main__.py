"""``python -m visavis`` does what the ``visavis`` command does."""

import sys

from visavis.cli import main

if __name__ == "__main__":
    sys.exit(main())
