# Numbers and dates: decimal, fractions, statistics, math, random with a
# fixed seed, datetime arithmetic, calendar, time.monotonic (not printed).
import calendar
import datetime
import decimal
import fractions
import math
import random
import statistics
import time

t0 = time.monotonic()
D = decimal.Decimal
decimal.getcontext().prec = 30
print(D(1) / D(7), D("0.1") + D("0.2"), D("1.005").quantize(D("0.01"), rounding=decimal.ROUND_HALF_UP))
with decimal.localcontext() as ctx:
    ctx.prec = 5
    print(D(2).sqrt(), D(10) ** -3, D("123.456789") * 1)
try:
    D("abc")
except decimal.InvalidOperation:
    print("invalid decimal")
print(sum(D("0.1") for _ in range(10)) == D(1), D("-0").is_signed(), D("NaN").is_nan())

F = fractions.Fraction
x = F(1, 3) + F(1, 6)
print(x, x * 3, F("3.1415").limit_denominator(100), F(0.75), float(F(22, 7)), F(5, 10).as_integer_ratio())

data = [2.5, 3.1, 4.7, 1.2, 9.9, 3.1, 5.0]
print(statistics.mean(data), statistics.median(data), statistics.mode(data))
print(round(statistics.stdev(data), 6), round(statistics.pvariance(data), 6), statistics.median_low([1, 3, 5, 7]))
print(statistics.quantiles(range(1, 101), n=4), round(statistics.fmean([1, 2, 4]), 6))
print(round(statistics.correlation([1, 2, 3, 4], [2, 4, 5, 9]), 6))

print(math.gcd(84, 36), math.lcm(4, 6), math.isqrt(10**20 + 1), math.comb(10, 3), math.perm(5, 2))
print(math.factorial(25), math.pi, math.e, math.inf > 1e308, math.isnan(float("nan")))
print(round(math.hypot(3, 4, 12), 9), math.copysign(2, -0.0), math.fsum([0.1] * 10), math.prod(range(1, 8)))
print(2 ** 200, (-7) // 2, -7 % 3, divmod(-17, 5), round(2.675, 2), round(0.5), round(1.5), 1e16 + 1)
print(int("ff", 16), hex(3735928559), oct(8), bin(10), (255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"))
print(0.1 + 0.2, repr(1 / 3), float("1e-320"), 7 / 2, complex(1, 2) * 1j, abs(-3 + 4j))

rng = random.Random(12345)
print([rng.randint(1, 100) for _ in range(8)])
print(rng.choice("abcdefg"), rng.sample(range(50), 5), round(rng.random(), 12), round(rng.gauss(0, 1), 9))
deck = list(range(10))
rng.shuffle(deck)
print(deck, rng.choices("xyz", weights=[5, 1, 1], k=6), rng.getrandbits(40))
random.seed("seed")
print(random.randrange(1000), round(random.uniform(1, 2), 12))

d = datetime.date(2024, 2, 28)
print(d + datetime.timedelta(days=1), d + datetime.timedelta(days=2), d.isoformat(), d.weekday(), d.strftime("%A %d %B %Y"))
dt = datetime.datetime(2023, 12, 31, 23, 59, 30, tzinfo=datetime.timezone.utc)
later = dt + datetime.timedelta(seconds=45)
print(later, later.isoformat(), later.timestamp(), (later - dt).total_seconds())
print(dt.astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=30))))
print(datetime.datetime.fromisoformat("2021-06-15T08:30:00+02:00").utcoffset(), datetime.datetime.strptime("03/04/21 17:05", "%d/%m/%y %H:%M"))
print(datetime.date.fromordinal(738000), datetime.timedelta(days=1, hours=25, microseconds=5), datetime.date(2024, 1, 1).isocalendar())

print(calendar.isleap(2000), calendar.isleap(1900), calendar.monthrange(2024, 2), calendar.weekday(2024, 7, 4))
print(calendar.month(2024, 3))
print(calendar.TextCalendar(calendar.SUNDAY).formatmonth(2021, 2, w=3))
elapsed = time.monotonic() - t0
print("monotonic moved forward:", elapsed >= 0)
