# e2e-exit: 1
# e2e-stderr: traceback
# An uncaught ExceptionGroup (nested): python prints it as a box; status 1.


def task(n):
    if n % 2:
        raise ValueError(f"odd input {n}")
    return n


errors = []
for n in range(4):
    try:
        task(n)
    except ValueError as e:
        errors.append(e)
print("errors:", [str(e) for e in errors])
raise ExceptionGroup("batch failed", [*errors, ExceptionGroup("inner", [TypeError("bad type")])])
