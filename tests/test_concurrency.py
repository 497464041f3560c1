"""Sessions run in threads of one server: what one session's page does must not stop
another's. Polars 2.1.0 deadlocks the whole interpreter (the GIL held: every session stuck,
the server's health check unanswered) when one thread converts a frame with polars'
to_pandas while another runs a map_elements; ten users opening Trends at once hung the
server that way (docs/benchmarks.md). The app hands Streamlit its frames converted through
Arrow (dijkwacht.app.ui.as_pandas); this runs the same mix in a child process, which a
deadlock would keep from finishing.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

from dijkwacht import config

MIX = textwrap.dedent("""
    import threading, time
    import polars as pl
    from dijkwacht.app.ui import as_pandas
    base = pl.DataFrame({"v": [float(i % 50) for i in range(2000)], "s": [str(i) for i in range(2000)]})
    done, stop = [0] * 10, time.monotonic() + 3
    def session(i):
        while time.monotonic() < stop:
            frame = base.with_columns(pl.col("v") + i)
            shown = frame.select("s", pl.col("v").map_elements(lambda x: f"{x:.1f}", return_dtype=pl.String))
            as_pandas(shown)
            done[i] += 1
    threads = [threading.Thread(target=session, args=(i,)) for i in range(10)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(min(done))
""")


def test_ten_sessions_converting_tables_while_mapping_values_all_finish():
    run = subprocess.run([sys.executable, "-c", MIX], cwd=config.ROOT, capture_output=True, text=True,
                         timeout=90)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout.split()[-1]) > 0          # every session converted tables
