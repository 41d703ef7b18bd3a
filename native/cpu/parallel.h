// Multi-threading for the CPU kernels: one process-wide pool of helper threads, lent from one
// thread budget, so several JS threads (main, libuv pool, worker_threads) calling kernels at
// once share the cores instead of each starting a full team (no oversubscription).
//
// A team call never waits for a helper that has not started: the caller runs its own share,
// then closes the job; helpers join only while it is open, and the caller waits only for those
// that joined. On a busy machine a helper may be preempted or slow to wake, and then the
// caller (and the helpers that did come) do the work instead of stalling for a scheduler
// time slice. Work must therefore be claimed dynamically (parallelFor does this), never
// assigned to a fixed thread index.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <type_traits>

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

// The most threads a team started from this thread may use (maxThreads under threadCap).
inline int teamLimit() {
  const int cap = threadCap(), mt = maxThreads();
  return cap > 0 ? std::min(cap, mt) : mt;
}

// Takes up to want-1 helper threads from the budget; the caller's own thread is always free.
int acquireThreads(int want);
void releaseThreads(int team);

namespace detail {
// One team call, on the caller's stack. Helpers take tickets 1..slots-1 while it is open.
struct TeamJob {
  void (*call)(void* ctx, int tid, int slots) = nullptr;
  void* ctx = nullptr;
  int slots = 1;
  std::atomic<int> ticket{1};  // next helper index; >= slots once full or closed
  std::atomic<int> joined{0};  // helpers inside the job (the caller waits for these only)
};
// Publishes job to the pool, runs ticket 0 on the calling thread, closes the job and waits
// for the helpers that joined.
void runTeam(TeamJob& job);
}  // namespace detail

// Runs fn(tid, slots) on the calling thread (tid 0) and on up to want-1 helpers that join in
// time (tids 1..slots-1, each at most once; some may never run). fn must claim its work
// dynamically and must not throw.
template <class F>
void parallelTeam(int want, F&& fn) {
  want = std::min(want, teamLimit());
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
  using Fn = std::remove_reference_t<F>;
  detail::TeamJob job;
  job.call = [](void* ctx, int tid, int slots) { (*static_cast<Fn*>(ctx))(tid, slots); };
  job.ctx = const_cast<void*>(static_cast<const void*>(&fn));
  job.slots = team;
  detail::runTeam(job);
  releaseThreads(team);
}

// Calls fn(begin, end) on disjoint chunks covering [0, n), in parallel when n / grain > 1
// (chunks of about n / threads, claimed dynamically). fn must not throw.
template <class F>
void parallelFor(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t minChunks = (n + grain - 1) / grain;
  const int want = static_cast<int>(std::min<int64_t>(minChunks, teamLimit()));
  if (want <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  // Two chunks per thread: balance when one thread is slow, few claims when none is.
  const int64_t chunks = std::min<int64_t>(minChunks, int64_t(2) * want);
  std::atomic<int64_t> next{0};
  parallelTeam(want, [&](int, int) {
    for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
      const int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
      if (b < e) fn(b, e);
    }
  });
}

}  // namespace tn::cpu
