"""ansible-test's pip bootstrap, offline: pip from the interpreter's own ensurepip, then the pinned pip.

`ansible-test sanity` creates one virtual environment per test and bootstraps pip in it with a
get-pip script it downloads from Ansible's CI file host, which this project's CI cannot reach.
ansible-test looks for that script in its cache first (~/.ansible/test/cache/get_pip_<version>.py,
see ansible_test/_util/target/setup/requirements.py); scripts/install-test-tools puts this file
there. It does what get-pip does, with what the machine already has: install pip with ensurepip,
then install the requested packages (ansible-test's pinned pip) from the package index pip is
configured with. ensurepip runs in a child process because it sets PIP_CONFIG_FILE=/dev/null in its
own environment, which would hide the machine's pip configuration from the second step.
"""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
requested = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *requested]))
