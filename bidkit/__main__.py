"""`python -m bidkit` runs the command line, same as `bidkit`."""

from bidkit.cli import main

main()
