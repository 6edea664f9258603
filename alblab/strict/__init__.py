"""The strict layer of alblab's AWS emulator: moto, but refusing what AWS refuses (see ``wsgi``).

``mode`` is pure (the CLI reads it without importing moto); everything else runs inside the emulator.
"""
