# subprocess: run /bin/echo and /bin/cat, capture output, pass stdin, check
# exit codes, and inherit our stdout.
import subprocess
import sys

r = subprocess.run(["/bin/echo", "hello", "from", "echo"], capture_output=True, text=True, check=True)
print("echo said:", repr(r.stdout), r.returncode)
r = subprocess.run(["/bin/cat"], input="piped ünïcode\nsecond line\n", capture_output=True, text=True)
print("cat said:", r.stdout.splitlines())
r = subprocess.run(["/bin/sh", "-c", "echo to-stderr >&2; exit 7"], capture_output=True, text=True)
print("sh:", r.returncode, repr(r.stderr))
try:
    subprocess.run(["/bin/false"], check=True)
except subprocess.CalledProcessError as e:
    print("false failed:", e.returncode)
print("check_output:", subprocess.check_output(["/bin/echo", "-n", "abc"]))
with subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as p:
    out, _ = p.communicate(b"via Popen")
print("popen:", out, p.returncode)
sys.stdout.flush()
subprocess.run(["/bin/echo", "inherited stdout"], check=True)
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("missing program:", e.errno, e.filename)
print("done")
