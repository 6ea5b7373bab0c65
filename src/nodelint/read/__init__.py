"""From paths to parsed documents: the user's settings (settings.py), finding the files of a run
and their kinds (discover.py, kinds.py), a node's filesystem as if chrooted (rootfs.py), reading
files within bounds and in place (files.py), parsing them with exact positions (document.py,
formats/), the run's register of documents read (load.py), the rule data in rules/ (data.py),
and files written inside other files (embedded/)."""
