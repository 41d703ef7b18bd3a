// Multi-threading for the CPU kernels: OpenMP teams sized from one process-wide thread budget,
// so several JS threads (main, libuv pool, worker_threads) calling kernels at once share the
// cores instead of each starting a full team (no oversubscription).
#pragma once
#include <algorithm>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tn::cpu {

int maxThreads();           // the setting (tn.setNumThreads / TENSORNODE_NUM_THREADS)
void setMaxThreads(int n);  // n >= 1

// Caps the threads parallelFor uses on the calling thread while in scope (0 = no cap). Async
// work on the libuv pool uses it to leave a core to the JS thread, so the event loop stays
// responsive while a forward runs.
int threadCap();
class ScopedThreadCap {
 public:
  explicit ScopedThreadCap(int cap);
  ~ScopedThreadCap();
  ScopedThreadCap(const ScopedThreadCap&) = delete;
  ScopedThreadCap& operator=(const ScopedThreadCap&) = delete;

 private:
  int previous_;
};

// Takes up to want-1 helper threads from the budget; the caller's own thread is always free.
int acquireThreads(int want);
void releaseThreads(int team);

// Calls fn(begin, end) on disjoint chunks covering [0, n), in parallel when n / grain > 1.
// fn must not throw.
template <class F>
void parallelFor(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t chunks = (n + grain - 1) / grain;
  const int cap = threadCap();
  int want = static_cast<int>(std::min<int64_t>(chunks, cap > 0 ? std::min(cap, maxThreads()) : maxThreads()));
  if (want <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  const int team = acquireThreads(want);
  if (team <= 1) {
    releaseThreads(team);
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(team)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
#else
    const int t = 0, nt = 1;
#endif
    const int64_t per = (chunks + nt - 1) / nt;
    const int64_t b = std::min<int64_t>(n, t * per * grain);
    const int64_t e = std::min<int64_t>(n, (t + 1) * per * grain);
    if (b < e) fn(b, e);
  }
  releaseThreads(team);
}

// Runs fn(t, nt) once on each thread of a team of nt <= want threads (t = 0..nt-1; nt is what
// the budget grants, possibly 1). fn may call teamBarrier(), which every thread of the team
// must then reach the same number of times. fn must not throw.
template <class F>
void parallelTeam(int want, F&& fn) {
  want = std::min(want, maxThreads());
  if (want <= 1) {
    fn(0, 1);
    return;
  }
  const int team = acquireThreads(want);
  if (team <= 1) {
    releaseThreads(team);
    fn(0, 1);
    return;
  }
#pragma omp parallel num_threads(team)
  {
#ifdef _OPENMP
    fn(omp_get_thread_num(), omp_get_num_threads());
#else
    fn(0, 1);
#endif
  }
  releaseThreads(team);
}

// Waits until every thread of the current parallelTeam has arrived (no-op outside one).
inline void teamBarrier() {
#pragma omp barrier
}

}  // namespace tn::cpu
