"""Copy the files git tracks or would track (not ignored) from the current checkout into DEST."""
import os
import shutil
import subprocess
import sys


def main(destination):
    listing = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             capture_output=True, check=True).stdout.decode()
    for path in filter(None, listing.split('\0')):
        if os.path.isfile(path):  # a tracked file deleted in the work tree is skipped
            target = os.path.join(destination, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(path, target)


if __name__ == '__main__':
    main(sys.argv[1])
