"""The web console: the stack's resource map and the requests crossing its data plane, live in a browser.

``alblab console`` / ``alblab lab console`` start it in the background (``launch``); it runs as
``python -m alblab.console`` (``__main__``): ``server`` (HTTP, server-sent events) serves what ``live`` keeps
current, drawn by the page in ``static/`` from ``mapview`` and ``words``.
"""
