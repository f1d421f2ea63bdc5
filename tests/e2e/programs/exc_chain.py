# e2e-exit: 1
# e2e-stderr: traceback
# Exception chaining: "raise ... from ..." and implicit context; the last
# line names the final exception.


class ConfigError(Exception):
    pass


def read_port(cfg):
    try:
        return int(cfg["port"])
    except KeyError as e:
        raise ConfigError(f"missing key {e}") from e


try:
    read_port({})
except ConfigError as e:
    print("caught:", e, "| cause:", type(e.__cause__).__name__)

try:
    {}["x"]
except KeyError:
    try:
        1 / 0
    except ZeroDivisionError as e:
        print("context:", type(e.__context__).__name__)

read_port({"host": "localhost"})
