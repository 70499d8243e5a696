"""`python -m convo ...` is the `convo` command (used to start a worker beside `make run`)."""

from convo.cli import main

main()
