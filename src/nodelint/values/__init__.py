"""The values every stage passes along: findings and fixes (findings.py), edits and positions
(edits.py), and the record classes they are made of (record.py, a start-up speed trick)."""
