# e2e-exit: 1
# e2e-stderr: traceback-no-source
# e2e-cryo-args: --no-sources
# Built --no-sources: the uncaught exception's traceback has no source
# line and no carets under its frames (the mode fails if the frozen
# program prints any), as python3.11 prints for a program shipped as .pyc.
import json


def parse(text):
    return json.loads(text)


def main():
    print(parse('{"ok": true}'))
    print(parse('{"ok": tru}'))


main()
