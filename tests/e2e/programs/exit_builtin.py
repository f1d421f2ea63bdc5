# e2e-exit: 4
# The exit() builtin (installed by site for interactive use, but programs
# call it too), with a status.
print("calling exit(4)")
exit(4)
