# Debian's python3-pandas (with numpy, dateutil, pytz): CSV parsing with
# dates, groupby, a pivot table, JSON, rolling windows, date ranges.
import io
import pandas as pd
import numpy as np
df = pd.read_csv(io.StringIO("city,temp,day\nParis,21.5,2024-03-01\nOslo,3.0,2024-03-01\nParis,19.0,2024-03-02\nOslo,-1.5,2024-03-02\n"), parse_dates=["day"])
print(df.dtypes.to_dict())
print(df.groupby("city")["temp"].agg(["mean", "min", "max"]))
df["warm"] = np.where(df.temp > 10, "yes", "no")
print(df.pivot_table(index="day", columns="city", values="temp"))
print(df.to_json(orient="records", date_format="iso"))
s = pd.Series(range(10)).rolling(3).mean()
print(s.tolist())
print(pd.date_range("2024-01-01", periods=3, freq="W").strftime("%Y-%m-%d").tolist())
