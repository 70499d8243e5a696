"""Work done off the web request, by the background worker (`convo worker`).

queue.py    the queue itself (Huey: SQLite in the instance folder, or Redis), and handing it
            jobs once the request's transaction has committed
tasks.py    the jobs there are: send one email, issue one version, remove deleted files
worker.py   the worker process: Huey's consumer, a heartbeat, and the sweeper that puts back
            work a dead worker held or the queue lost
"""
