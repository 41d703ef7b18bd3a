#!/usr/bin/env python3
"""NumPy/OpenBLAS peer: same protocol as bench/worker.js (stdin JSON commands, `@@BENCH {json}`
answers), same data files, same verification (rel err < 1e-4 against the float64 reference on
the checked rows) and timing rules.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 \
        python3 bench/peers/numpy_bench.py <dataDir> [rss]

SGEMM is `A @ B` on float32 arrays; the MLPs are `h @ Wt + b` per layer (W transposed once at
load) with an in-place sigmoid (negative, exp, +1, reciprocal) between layers.
"""
import json
import os
import sys
import time

import numpy as np

TOLERANCE = 1e-4
SKIP_SECONDS = 5.0
MIN_SECONDS = float(os.environ.get("BENCH_MIN_SECONDS", "2"))

data_dir = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else ""
with open(os.path.join(data_dir, "manifest.json")) as f:
    manifest = json.load(f)


def reply(obj):
    sys.stdout.write("@@BENCH " + json.dumps(obj) + "\n")
    sys.stdout.flush()


def f32(name):
    return np.fromfile(os.path.join(data_dir, name), dtype="<f4")


def f64(name):
    return np.fromfile(os.path.join(data_dir, name), dtype="<f8")


def rel_err(out, ref, rows, cols):
    o = np.asarray(out, dtype=np.float64).reshape(-1, cols)[rows]
    r = ref.reshape(-1, cols)
    return float(np.linalg.norm(o - r) / np.linalg.norm(r))


def time_calls(run, exact=0, warmup=0, min_calls=10, min_seconds=MIN_SECONDS):
    for _ in range(warmup):
        run()
    times = []
    pc = time.perf_counter
    start = pc()
    while (len(times) < exact) if exact else (len(times) < min_calls or pc() - start < min_seconds):
        t = pc()
        run()
        times.append(pc() - t)
    return times


_mlp_cache = {}


def mlp_data(name):
    if name not in _mlp_cache:
        layers = manifest[name]["layers"]
        params = []
        for l in range(len(layers) - 1):
            fin, fout = layers[l], layers[l + 1]
            W = f32(f"{name}_W{l}.f32").reshape(fout, fin)
            params.append((np.ascontiguousarray(W.T), f32(f"{name}_b{l}.f32")))
        _mlp_cache[name] = (layers, params, f32(f"{name}_x.f32"))
    return _mlp_cache[name]


def measure(workload, size):
    if workload == "sgemm":
        n = size
        A = f32(f"sgemm_{n}_A.f32").reshape(n, n)
        B = f32(f"sgemm_{n}_B.f32").reshape(n, n)
        run = lambda: A @ B
        rows, cols = manifest["sgemm"][str(n)]["rows"], n
        ref = f64(f"sgemm_{n}_ref.f64")
        timing = dict(min_calls=10, warmup=1)
    else:
        layers, params, xall = mlp_data(workload)
        batch = size
        x = xall[: batch * layers[0]].reshape(batch, layers[0])
        last = len(params) - 1

        def run():
            h = x
            for l, (Wt, b) in enumerate(params):
                h = h @ Wt
                h += b
                if l < last:
                    np.negative(h, out=h)
                    np.exp(h, out=h)
                    h += 1.0
                    np.reciprocal(h, out=h)
            return h

        rows, cols = manifest[workload]["batches"][str(batch)]["rows"], layers[-1]
        ref = f64(f"{workload}_{batch}_ref.f64")
        timing = dict(exact=10000, warmup=1000) if (workload == "lecture" and batch == 1) else dict(min_calls=10, warmup=1)
    t0 = time.perf_counter()
    out = run()
    first = time.perf_counter() - t0
    err = rel_err(out, ref, rows, cols)
    if not err < TOLERANCE:
        return dict(ok=False, relErr=err, error=f"verification failed: rel err {err}")
    if first > SKIP_SECONDS:
        return dict(ok=True, relErr=err, skipped=f"{first:.1f} s/call")
    return dict(ok=True, relErr=err, times=time_calls(run, **timing), isAsync=False)


def blas_info():
    info = {}
    try:
        import ctypes

        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
        # The kernel OpenBLAS picked at run time (scipy-openblas exports it with a suffix).
        libdir = blas.get("lib directory", "")
        for fn in os.listdir(libdir) if libdir and os.path.isdir(libdir) else []:
            if fn.startswith("lib") and ".so" in fn and "openblas" in fn:
                lib = ctypes.CDLL(os.path.join(libdir, fn))
                for sym in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
                    if hasattr(lib, sym):
                        f = getattr(lib, sym)
                        f.restype = ctypes.c_char_p
                        info["corename"] = f().decode()
                        break
                break
    except Exception as e:  # informational only
        info["blas_error"] = str(e)
    return info


def main():
    with np.errstate(over="ignore"):
        info = dict(name="numpy", version=np.__version__, threads=int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0),
                    python=sys.version.split()[0], **blas_info())
        if mode == "rss":
            res = measure("big", 1024)
            calls = len(res.pop("times", []) or [])
            reply(dict(id="rss", info=info, calls=calls, **res))
            return
        reply(dict(id="ready", info=info))
        for line in sys.stdin:
            if not line.strip():
                continue
            cmd = json.loads(line)
            if cmd.get("workload") == "exit":
                break
            try:
                reply(dict(id=cmd["id"], **measure(cmd["workload"], cmd["size"])))
            except Exception as e:
                reply(dict(id=cmd["id"], ok=False, error=repr(e)))


if __name__ == "__main__":
    main()
