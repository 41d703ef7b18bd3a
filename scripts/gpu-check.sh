#!/usr/bin/env bash
# One call on a GPU machine (see the device tool): unpack what ../shared/tools/pack-gpu.sh packed
# into .gpu/, make sure the addon loads there (rebuild for sm_90 if the carried one does not),
# print the GPU and tn.info(), run the whole jest suite with TENSORNODE_DEVICE=cuda, then time the
# CUDA kernels against PyTorch/cuBLAS on the same GPU. Logs go to $OUT; a short table prints last.
#
# Here:   npm install && ../shared/tools/pack-gpu.sh
# There:  bash scripts/gpu-check.sh            (device tool: carry [".gpu"], timeout ~540 s)
# Dry run on a machine without a GPU: TENSORNODE_DEVICE=cpu bash scripts/gpu-check.sh
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
device=${TENSORNODE_DEVICE:-cuda}
summary=()
note() { summary+=("$1"); echo "== $1"; }

if [ -f .gpu/env.sh ]; then . .gpu/env.sh; fi
command -v node >/dev/null || { echo "no node: run ../shared/tools/pack-gpu.sh first and carry .gpu"; exit 2; }
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 && note "GPU: $(nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader | head -n1)" || note "GPU: nvidia-smi unavailable"

# 1. The carried addon must load and see the GPU; otherwise rebuild it here for this GPU.
if ! TENSORNODE_DEVICE=$device node -e "const tn=require('./dist/lib/index.js'); tn.ones(1); process.exit(tn.device===process.env.TENSORNODE_DEVICE?0:1)" > "$OUT/load.txt" 2>&1; then
  note "carried addon unusable ($(tail -n1 "$OUT/load.txt")); rebuilding for sm_90"
  node node_modules/cmake-js/bin/cmake-js rebuild --out build --CDCMAKE_CUDA_ARCHITECTURES=90 > "$OUT/rebuild.txt" 2>&1 || note "rebuild FAILED (see rebuild.txt)"
fi
node dist/lib/cli/main.js info | tee "$OUT/info.txt"
note "tn.info: $(node -e "const i=require('./dist/lib/index.js').info(); console.log(i.device+' — '+i.reason)")"

# 2. The whole suite on the GPU (CUDA cases become mandatory under TENSORNODE_DEVICE=cuda).
TENSORNODE_DEVICE=$device node node_modules/jest/bin/jest.js --ci > "$OUT/jest.txt" 2>&1
jest_rc=$?
note "jest (TENSORNODE_DEVICE=$device): rc=$jest_rc, $(grep -E '^Tests:' "$OUT/jest.txt" | tail -n1)"

# 3. Benchmarks against PyTorch on the same GPU, when the suite ships them.
if [ -f bench/gpu/run.sh ]; then
  bash bench/gpu/run.sh "$OUT" > "$OUT/bench.txt" 2>&1
  note "bench: rc=$?, table in bench.txt"
  tail -n 30 "$OUT/bench.txt"
fi

echo
echo "==== gpu-check summary ===="
printf '%s\n' "${summary[@]}"
exit $jest_rc
