# zoneinfo through its C implementation (_zoneinfo), with the system's time
# zone data, and the lsprof profiler (_lsprof).
import cProfile
import datetime
import pstats
import io
import zoneinfo

tz = zoneinfo.ZoneInfo("Europe/Paris")
d = datetime.datetime(2024, 7, 1, 12, 0, tzinfo=tz)
print(d.isoformat(), d.tzname(), d.utcoffset())
print(datetime.datetime(2024, 1, 1, tzinfo=tz).utcoffset())
print(type(tz).__module__, zoneinfo.ZoneInfo.__module__)
p = cProfile.Profile()
p.runcall(sorted, range(100))
s = io.StringIO()
pstats.Stats(p, stream=s).print_stats()
print("profiled", "function calls" in s.getvalue())
