"""`python -m intake_desktop` runs the command line (the window when no command is given)."""

import sys

from intake_desktop.launch import main

if __name__ == "__main__":
    sys.exit(main())
