# e2e-stderr: traceback
# logging to stderr (levels, formatters, named loggers, exceptions) mixed
# with print to stdout and to stderr.  log.exception prints a traceback, so
# stderr is compared as a traceback (source lines left out).
import logging
import sys

logging.basicConfig(level=logging.INFO, format="%(levelname)s:%(name)s:%(message)s", stream=sys.stderr)
log = logging.getLogger("app.core")
print("start")
log.debug("hidden debug")
log.info("processing %d items", 3)
log.warning("disk at %s%%", 91)
child = logging.getLogger("app.core.db")
child.setLevel(logging.ERROR)
child.warning("suppressed")
child.error("connection lost: %r", ("db", 5432))
print("to stderr via print", file=sys.stderr)
sys.stderr.write("raw stderr write\n")
try:
    {}["missing"]
except KeyError:
    log.exception("lookup failed")
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("[%(levelname)-8s] %(message)s"))
out = logging.getLogger("to_stdout")
out.addHandler(handler)
out.propagate = False
out.setLevel(logging.DEBUG)
out.debug("debug on stdout")
out.critical("critical on stdout")
logging.getLogger().info("root logger, ünïcode ✓")
print("done")
