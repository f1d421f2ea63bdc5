# e2e-exit: 1
# sys.exit("message"): the message goes to stderr and the status is 1.
import sys


def main():
    print("working...")
    sys.exit("fatal: configuration file 'app.toml' not found")


if __name__ == "__main__":
    main()
