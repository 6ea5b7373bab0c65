"""The engine: a run over a batch of files (run.py) orchestrates node assembly (nodes.py),
version facts (facts.py), the check (checks.py) and the fix loop (fixes.py); big trees go in
batches of whole nodes (batches.py); view.py computes what ``nodelint show`` prints.  Nothing
is written here: writing is write/'s."""
