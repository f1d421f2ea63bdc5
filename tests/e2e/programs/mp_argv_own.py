# e2e-args: -c "from multiprocessing.resource_tracker import main;main(__import__('os').getpid())" --multiprocessing-fork pipe_handle=x
# A program that packs multiprocessing keeps its own arguments, even ones
# that look like multiprocessing's re-entry forms but are not exactly them
# (here: a -c whose code is not literal, followed by more arguments).
import multiprocessing
import sys

print(sys.argv[1:])
print(multiprocessing.current_process().name)
