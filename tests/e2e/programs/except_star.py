# Exception groups handled with except*: splitting by type, nesting,
# re-raising the rest, and ExceptionGroup.subgroup/split.


def run_all(tasks):
    errors = []
    for t in tasks:
        try:
            t()
        except Exception as e:
            errors.append(e)
    if errors:
        raise ExceptionGroup("tasks failed", errors)


def bad_value():
    raise ValueError("bad value")


def bad_type():
    raise TypeError("bad type")


def bad_key():
    raise KeyError("k")


def ok():
    pass


try:
    run_all([ok, bad_value, bad_type, bad_value])
except* ValueError as eg:
    print("values:", [str(e) for e in eg.exceptions])
except* TypeError as eg:
    print("types:", [str(e) for e in eg.exceptions])

try:
    try:
        run_all([bad_key, bad_value])
    except* ValueError:
        print("handled the ValueError part")
except ExceptionGroup as rest:
    print("left over:", rest.message, [type(e).__name__ for e in rest.exceptions])

eg = ExceptionGroup("outer", [ValueError(1), ExceptionGroup("inner", [TypeError(2), ValueError(3)])])
match, rest = eg.split(ValueError)
print("split match:", repr(match))
print("split rest:", repr(rest))
print("subgroup:", repr(eg.subgroup(lambda e: isinstance(e, TypeError))))

try:
    raise ExceptionGroup("single", [OSError("disk")])
except* OSError as eg:
    print("os errors:", len(eg.exceptions), type(eg).__name__)

try:
    raise BaseExceptionGroup("base", [KeyboardInterrupt()])
except* KeyboardInterrupt:
    print("caught KeyboardInterrupt inside a group")

try:
    raise ValueError("naked")
except* ValueError as eg:
    print("naked exception wrapped:", type(eg).__name__, eg.exceptions)
