"""The README's example: a small program that shows what it runs on."""
import platform
import sys


def main(argv):
    who = " ".join(argv[1:]) or "world"
    print(f"hello, {who}!")
    print(f"Python {platform.python_version()}, frozen={getattr(sys, 'frozen', False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
