#!/usr/bin/env bash
# The sanitizer run: builds the addon with ASan + UBSan (CPU only) into build-asan/ (never
# touching build/Release) and runs jest against it with the sanitizer runtimes preloaded, as
# Node itself is not instrumented. Any ASan/UBSan error fails the run; leaks are checked by
# LeakSanitizer at each process's exit and count only when the allocation was made by our
# addon (Node/V8 free little at exit, and those are not ours). See test/HARDENING.md.
#
#   scripts/sanitize.sh                      # the whole jest suite
#   scripts/sanitize.sh test/hardening       # a subset (any jest arguments)
#   scripts/sanitize.sh --build-only
#   SANITIZE_CMD="node x.js" scripts/sanitize.sh   # any command instead of jest
#
# Env: TENSORNODE_SANITIZE (default address,undefined,float-cast-overflow), SANITIZE_LOGS (a
# folder to keep the reports in; default a temp folder, printed and removed when clean).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers="${TENSORNODE_SANITIZE:-address,undefined,float-cast-overflow}"
out=build-asan
addon="$PWD/$out/Release/tensornode.node"

echo "== sanitizer build ($sanitizers, CPU only) in $out/"
node node_modules/cmake-js/bin/cmake-js compile --out "$out" \
  --CDTENSORNODE_CUDA=OFF "--CDTENSORNODE_SANITIZE=$sanitizers" >"$out.log" 2>&1 \
  || { tail -50 "$out.log"; echo "sanitizer build failed (log: $out.log)"; exit 1; }
rm -f "$out.log"
[[ "${1:-}" == "--build-only" ]] && exit 0

# GCC's runtimes (clang's libclang_rt.asan would do the same with a clang build).
runtimes="$(gcc -print-file-name=libasan.so)"
if [[ "$sanitizers" == *undefined* || "$sanitizers" == *float-cast* ]]; then runtimes="$runtimes:$(gcc -print-file-name=libubsan.so)"; fi
for r in ${runtimes//:/ }; do [[ -f "$r" ]] || { echo "missing sanitizer runtime $r (apt-get install libasan8 libubsan1)"; exit 1; }; done

logs="${SANITIZE_LOGS:-$(mktemp -d /tmp/tn-sanitize.XXXXXX)}"
mkdir -p "$logs"
export LD_PRELOAD="$runtimes${LD_PRELOAD:+:$LD_PRELOAD}"
export TENSORNODE_ADDON_PATH="$addon"
# Tests that measure RSS read this: under ASan the allocator (shadow memory, quarantine, no
#   release to the OS) makes RSS no measure of leaks; LeakSanitizer is the leak check there.
export TENSORNODE_UNDER_SANITIZER=1
# detect_leaks: LSan runs at every process exit and writes its report to log_path;
#   exitcode=0 keeps Node's own exit-time leaks from failing a process: the report check below
#   decides. An ASan error still aborts the process at once (halt_on_error defaults to 1).
# allow_user_segv_handler / handle_segv=0: V8's WebAssembly trap handler (undici's llhttp) owns
#   SIGSEGV; ASan must not take it over.
# quarantine_size_mb=32: freed blocks stay poisoned (use-after-free detection) in a smaller
#   quarantine than the default 256 MB, keeping the in-band run's memory down.
# detect_stack_use_after_return=0, detect_container_overflow=0: Node and V8 are not
#   instrumented; these checks need the whole program built with ASan.
export ASAN_OPTIONS="detect_leaks=1:exitcode=0:abort_on_error=0:log_path=$logs/asan:allow_user_segv_handler=1:handle_segv=0:detect_stack_use_after_return=0:detect_container_overflow=0:malloc_context_size=30:quarantine_size_mb=32:print_suppressions=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="exitcode=0:report_objects=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$logs/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

echo "== running under ASan+UBSan (reports in $logs)"
status=0
if [[ -n "${SANITIZE_CMD:-}" ]]; then
  bash -c "$SANITIZE_CMD" || status=$?
else
  # One process (--runInBand): LeakSanitizer's exit-time check does not run in jest's worker
  # processes (they are ended without the exit handlers); SANITIZE_WORKERS=2 trades it for speed.
  if [[ -n "${SANITIZE_WORKERS:-}" ]]; then jestArgs=(--maxWorkers="$SANITIZE_WORKERS"); else jestArgs=(--runInBand); fi
  node node_modules/jest/bin/jest.js "${jestArgs[@]}" "$@" || status=$?
fi
unset LD_PRELOAD
node scripts/sanitize-report.js "$logs" "$addon" || status=$?
if [[ $status -eq 0 && -z "${SANITIZE_LOGS:-}" ]]; then rm -rf "$logs"; fi
exit $status
