"""The ground floor that scenes and tools both stand on; it imports nothing of the project's.

- ``voice``: the narrator (piper run as a separate process, the cache, recorded overrides).
- ``lexicon``: respellings of the words the voice gets wrong.
- ``loudness``: EBU R128 integrated loudness, true peak, the limiter.
- ``atomic``: outputs written to a temporary file and moved into place in one step.
"""
