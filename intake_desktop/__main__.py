"""`python -m intake_desktop` runs the command line (the window when no command is given)."""

from intake_desktop.launch import run

if __name__ == "__main__":
    run()
