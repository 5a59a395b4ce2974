"""Stand-in for the get-pip bootstrap script that ansible-test downloads from a host this
machine cannot reach: installs the interpreter's bundled pip (ensurepip, offline), then lets
that pip install the requested version from the package index, as get-pip.py does."""
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {'--no-setuptools', '--no-wheel'}

if __name__ == '__main__':
    # ensurepip runs in its own process: in-process it points PIP_CONFIG_FILE at /dev/null,
    # which would hide the machine's pip configuration (index, certificates) from the next step.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'], stdout=subprocess.DEVNULL)
    arguments = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY_OPTIONS]
    sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet'] + arguments))
