# e2e-exit: 3
# sys.exit(3): output printed before exiting must still appear.
import sys

print("about to exit with 3")
sys.stderr.write("warning: exiting\n")
sys.exit(3)
print("never printed")
