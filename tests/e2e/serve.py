"""Serve convo on a given loopback port for the restart test: python -m tests.e2e.serve PORT

Configured by the environment (DATABASE_URL, CONVO_*), like a real install.  Prints
"listening" once the socket accepts connections, then serves until killed.
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from convo import create_app


def main() -> None:
    port = int(sys.argv[1])
    app = create_app({"SIGNIN_SLOW_AFTER": 1000, "SIGNIN_LOCK_AFTER": 2000,
                      "JOIN_SLOW_AFTER": 1000, "JOIN_LOCK_AFTER": 2000})
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
