"""`python -m bidkit` runs the command line, same as `bidkit`."""

from bidkit.launch import main

main()
