import sys

try:
    from devstack.stack import main

    sys.exit(main(sys.argv[1:]))
except KeyboardInterrupt:
    # Ctrl-C before the runner installed its handlers: nothing has been started yet.
    sys.exit(130)
