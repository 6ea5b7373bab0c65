"""Writing, in one place: the atomic writer that never follows a link out of its anchor
(atomic.py), the worker processes that check and write batches in parallel (workers.py), and the
signal handling that keeps a batch's renames whole (interrupts.py)."""
