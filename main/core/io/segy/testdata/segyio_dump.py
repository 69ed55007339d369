"""Reads a SEG-Y file with segyio and prints what our tests compare, as one JSON object.

Usage: python3 segyio_dump.py FILE
Exit status 3 (and a message) when segyio is not installed, so tests can skip.
"""
import json
import sys

try:
    import numpy as np
    import segyio
except ImportError as error:  # pragma: no cover - environment check
    print(f"segyio unavailable: {error}", file=sys.stderr)
    sys.exit(3)

path = sys.argv[1]
with segyio.open(path, "r", ignore_geometry=True) as f:
    data = segyio.tools.collect(f.trace[:]).astype(np.float64)
    wanted = ["FieldRecord", "TraceNumber", "offset", "SourceX", "GroupX", "SourceGroupScalar",
              "ElevationScalar", "ReceiverGroupElevation", "TRACE_SAMPLE_COUNT", "TRACE_SEQUENCE_LINE"]
    headers = [{name: int(f.header[i][getattr(segyio.TraceField, name)]) for name in wanted} for i in range(f.tracecount)]
    print(json.dumps({
        "format": int(f.format),
        "tracecount": int(f.tracecount),
        "samples": len(f.samples),
        "interval_us": float(segyio.tools.dt(f)),
        "text_line1": f.text[0][:80].decode("latin-1"),
        "data": data.tolist(),
        "headers": headers,
    }))
