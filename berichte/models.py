"""The weekly steering report archive (issue #6). Being built."""
