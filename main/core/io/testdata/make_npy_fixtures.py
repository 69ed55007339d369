#!/usr/bin/python3
"""Writes the .npy fixtures for main/core/io/npy.test.ts and openfwi.test.ts with numpy itself.

Run from anywhere:  /usr/bin/python3 main/core/io/testdata/make_npy_fixtures.py
Outputs (all small; the whole folder stays well under 1 MB):
  npy/<name>.npy       one file per format variant
  npy/expected.json    numpy's own reading of every valid file: dtype, shape, fortran flag, C-order values
  npy/<broken>.npy     truncated data, truncated header, bad magic, unparsable header, trailing bytes, structured dtype
  openfwi/...          OpenFWI-like dataset folders (vel and fault naming, mismatched, orphan, velocity-only)
  zip/mixed.zip        a stored entry, a deflated entry and a utf-8 name, for main/core/io/zip.ts
The values are deterministic (a seeded generator), so re-running reproduces the same bytes.
"""
import json
import os
import shutil
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NPY = os.path.join(HERE, "npy")
OPENFWI = os.path.join(HERE, "openfwi")
rng = np.random.default_rng(20240601)


def save(path, array, version=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        if version is None:
            np.lib.format.write_array(f, array, allow_pickle=False)
        else:
            np.lib.format.write_array(f, array, version=version, allow_pickle=False)


def main():
    for folder in (NPY, OPENFWI, os.path.join(HERE, "zip")):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)

    base = rng.standard_normal((3, 4, 5)).astype(np.float32) * 100
    variants = {
        "v1_f4": (base, (1, 0)),
        "v2_f4": (base, (2, 0)),
        "v3_f4": (base, (3, 0)),
        "be_f4": (base.astype(">f4"), None),
        "le_f8": (rng.standard_normal((4, 3)) * 1e3, None),
        "be_f8": ((rng.standard_normal((4, 3)) * 1e3).astype(">f8"), None),
        "fortran_f4": (np.asfortranarray(base), None),
        "fortran_be_i2": (np.asfortranarray(rng.integers(-32768, 32767, (2, 3, 4, 2)).astype(">i2")), None),
        "i1": (rng.integers(-128, 127, (6, 2)).astype(np.int8), None),
        "i2": (rng.integers(-32768, 32767, (6, 2)).astype("<i2"), None),
        "be_i2": (rng.integers(-32768, 32767, (6, 2)).astype(">i2"), None),
        "i4": (rng.integers(-(2**31), 2**31 - 1, (6, 2)).astype("<i4"), None),
        "i8": (rng.integers(-(2**40), 2**40, (6, 2)).astype("<i8"), None),
        "u1": (rng.integers(0, 255, (6, 2)).astype(np.uint8), None),
        "u2": (rng.integers(0, 65535, (6, 2)).astype("<u2"), None),
        "u4": (rng.integers(0, 2**32 - 1, (6, 2), dtype=np.uint64).astype("<u4"), None),
        "bool": (rng.integers(0, 2, (5, 3)).astype(bool), None),
        "scalar_f4": (np.array(2.5, dtype=np.float32), None),
        "empty_f4": (np.zeros((0, 3), dtype=np.float32), None),
        "one_d_f4": (np.arange(7, dtype=np.float32) / 4, None),
    }
    expected = {}
    for name, (array, version) in variants.items():
        path = os.path.join(NPY, name + ".npy")
        save(path, array, version)
        loaded = np.load(path)
        expected[name] = {
            "dtype": loaded.dtype.str,
            "shape": list(loaded.shape),
            "fortran_order": bool(loaded.flags.f_contiguous and not loaded.flags.c_contiguous),
            "version": int(open(path, "rb").read(7)[6]),
            # C-order values; int64 kept exact as strings, everything else as float64 (exact for these dtypes)
            "values": [str(v) for v in loaded.ravel(order="C").tolist()] if loaded.dtype.kind == "i" and loaded.dtype.itemsize == 8
            else loaded.astype(np.float64).ravel(order="C").tolist(),
        }
    with open(os.path.join(NPY, "expected.json"), "w") as f:
        json.dump(expected, f)

    good = open(os.path.join(NPY, "v1_f4.npy"), "rb").read()
    with open(os.path.join(NPY, "truncated_data.npy"), "wb") as f:
        f.write(good[:-10])
    with open(os.path.join(NPY, "truncated_header.npy"), "wb") as f:
        f.write(good[:40])
    with open(os.path.join(NPY, "trailing_bytes.npy"), "wb") as f:
        f.write(good + b"\0\0\0\0")
    with open(os.path.join(NPY, "bad_magic.npy"), "wb") as f:
        f.write(b"\x93NUMPZ" + good[6:])
    # A header whose dict is cut off (the closing brace and shape replaced by garbage), same length.
    header_end = 10 + int.from_bytes(good[8:10], "little")
    text = good[10:header_end].decode("latin1")
    broken = text.replace("'shape': (", "'shape': [(").replace("}", "@")
    broken = broken[: header_end - 10]
    with open(os.path.join(NPY, "bad_header.npy"), "wb") as f:
        f.write(good[:10] + broken.encode("latin1") + good[header_end:])
    save(os.path.join(NPY, "structured.npy"), np.zeros(3, dtype=[("a", "<f4"), ("b", "<i4")]))

    def velocity(n, depth, width):
        return rng.integers(1500, 4501, (n, 1, depth, width)).astype(np.float32)

    def seismic(n, sources, time, receivers):
        return (rng.standard_normal((n, sources, time, receivers)) * 10).astype(np.float32)

    # Vel-family naming: data1/model1, data2/model2, data10/model10 (natural order 1, 2, 10).
    vel = os.path.join(OPENFWI, "vel")
    for number, n in ((1, 4), (2, 3), (10, 2)):
        save(os.path.join(vel, f"data{number}.npy"), seismic(n, 2, 30, 6))
        save(os.path.join(vel, f"model{number}.npy"), velocity(n, 7, 6))

    # Fault-family naming: seis{P}_1_{i}.npy / vel{P}_1_{i}.npy; velocity stored as [N, depth, width].
    fault = os.path.join(OPENFWI, "fault")
    for p, i, n in ((2, 0, 3), (2, 1, 2), (4, 0, 2)):
        save(os.path.join(fault, f"seis{p}_1_{i}.npy"), seismic(n, 2, 25, 6))
        save(os.path.join(fault, f"vel{p}_1_{i}.npy"), velocity(n, 7, 6)[:, 0])

    # N differs within pair 1.
    mismatched = os.path.join(OPENFWI, "mismatched")
    save(os.path.join(mismatched, "data1.npy"), seismic(4, 2, 30, 6))
    save(os.path.join(mismatched, "model1.npy"), velocity(3, 7, 6))

    # data2 has no model2.
    orphan = os.path.join(OPENFWI, "orphan")
    save(os.path.join(orphan, "data1.npy"), seismic(2, 2, 30, 6))
    save(os.path.join(orphan, "model1.npy"), velocity(2, 7, 6))
    save(os.path.join(orphan, "data2.npy"), seismic(2, 2, 30, 6))

    # Only velocity models: a dataset for forward modelling.
    velonly = os.path.join(OPENFWI, "velocity_only")
    save(os.path.join(velonly, "model1.npy"), velocity(3, 7, 6))
    save(os.path.join(velonly, "model2.npy"), velocity(2, 7, 6))

    # float64 pair (converted on import) and a pair whose "velocity" looks like seismic (swapped files).
    f64 = os.path.join(OPENFWI, "float64")
    save(os.path.join(f64, "data1.npy"), seismic(2, 2, 30, 6).astype(np.float64) + 0.1)
    save(os.path.join(f64, "model1.npy"), velocity(2, 7, 6).astype(np.float64))

    swapped = os.path.join(OPENFWI, "swapped")
    save(os.path.join(swapped, "data1.npy"), seismic(2, 1, 7, 6))
    save(os.path.join(swapped, "model1.npy"), seismic(2, 1, 7, 6))

    # A pair whose velocity is int16 (a wrong dtype for OpenFWI).
    wrong = os.path.join(OPENFWI, "wrong_dtype")
    save(os.path.join(wrong, "data1.npy"), seismic(2, 2, 30, 6))
    save(os.path.join(wrong, "model1.npy"), velocity(2, 7, 6).astype(np.int16))

    # A truncated data file.
    truncated = os.path.join(OPENFWI, "truncated")
    save(os.path.join(truncated, "data1.npy"), seismic(2, 2, 30, 6))
    save(os.path.join(truncated, "model1.npy"), velocity(2, 7, 6))
    raw = open(os.path.join(truncated, "data1.npy"), "rb").read()
    with open(os.path.join(truncated, "data1.npy"), "wb") as f:
        f.write(raw[:-100])

    # A ZIP with a stored and a deflated copy of v1_f4.npy and a utf-8 entry name (fixed timestamps).
    with zipfile.ZipFile(os.path.join(HERE, "zip", "mixed.zip"), "w") as z:
        for name, method in (("stored/v1_f4.npy", zipfile.ZIP_STORED), ("deflated/v1_f4.npy", zipfile.ZIP_DEFLATED), ("vélocité.txt", zipfile.ZIP_DEFLATED)):
            info = zipfile.ZipInfo(name, date_time=(2024, 6, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, good if name.endswith(".npy") else "m/s\n".encode("utf-8"))


if __name__ == "__main__":
    main()
