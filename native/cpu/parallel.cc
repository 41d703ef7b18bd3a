#include "parallel.h"

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tn::cpu {
namespace {

int initialThreads() {
  if (const char* env = std::getenv("TENSORNODE_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

std::atomic<int> gMaxThreads{initialThreads()};
// Helper threads not currently lent to a team.
std::atomic<int> gFreeHelpers{gMaxThreads.load() - 1};

thread_local int tCap = 0;

inline void relax(int spin) {
  if (spin < 64) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  } else {
    std::this_thread::yield();
  }
}

// The helper threads. Never destroyed (helpers may still be parked when static destructors
// run at exit), created lazily up to the largest budget seen.
struct Pool {
  std::mutex m;
  std::condition_variable cv;
  std::vector<detail::TeamJob*> open;  // jobs that may still take helpers
  std::atomic<uint64_t> posted{0};     // bumped on every post (parked helpers spin on it first)
  int threads = 0;
};

Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

// Joins an open job under the pool lock: counted in `joined` before the caller can close it.
detail::TeamJob* joinLocked(Pool& P, int& tid) {
  for (detail::TeamJob* job : P.open) {
    if (job->ticket.load(std::memory_order_relaxed) >= job->slots) continue;
    job->joined.fetch_add(1, std::memory_order_acq_rel);
    tid = job->ticket.fetch_add(1, std::memory_order_acq_rel);
    if (tid < job->slots) return job;
    job->joined.fetch_sub(1, std::memory_order_acq_rel);
  }
  return nullptr;
}

void helperMain() {
  Pool& P = pool();
  uint64_t seen = P.posted.load(std::memory_order_acquire);
  for (;;) {
    // Spin a little first: kernels often come back to back (layer after layer).
    for (int spin = 0; spin < 4000 && P.posted.load(std::memory_order_acquire) == seen; ++spin) relax(spin < 3000 ? 0 : spin);
    detail::TeamJob* job = nullptr;
    int tid = 0;
    {
      std::unique_lock<std::mutex> lock(P.m);
      for (;;) {
        seen = P.posted.load(std::memory_order_acquire);
        job = joinLocked(P, tid);
        if (job) break;
        P.cv.wait(lock, [&] { return P.posted.load(std::memory_order_acquire) != seen; });
      }
    }
    job->call(job->ctx, tid, job->slots);
    job->joined.fetch_sub(1, std::memory_order_acq_rel);  // the job may be gone after this
  }
}

}  // namespace

int threadCap() { return tCap; }
ScopedThreadCap::ScopedThreadCap(int cap) : previous_(tCap) { tCap = cap; }
ScopedThreadCap::~ScopedThreadCap() { tCap = previous_; }

int maxThreads() { return gMaxThreads.load(std::memory_order_relaxed); }

void setMaxThreads(int n) {
  if (n < 1) n = 1;
  const int old = gMaxThreads.exchange(n);
  gFreeHelpers.fetch_add(n - old);
}

int acquireThreads(int want) {
  int helpersWanted = want - 1;
  int free = gFreeHelpers.load();
  while (true) {
    const int take = std::max(0, std::min(free, helpersWanted));
    if (take == 0) return 1;
    if (gFreeHelpers.compare_exchange_weak(free, free - take)) return take + 1;
  }
}

void releaseThreads(int team) {
  if (team > 1) gFreeHelpers.fetch_add(team - 1);
}

namespace detail {

void runTeam(TeamJob& job) {
  Pool& P = pool();
  {
    std::lock_guard<std::mutex> lock(P.m);
    // Enough helpers for every team the budget can lend at once.
    while (P.threads < std::max(job.slots - 1, maxThreads() - 1)) {
      try {
        std::thread(helperMain).detach();
      } catch (...) {
        break;  // no more threads: the caller does the work
      }
      ++P.threads;
    }
    P.open.push_back(&job);
    P.posted.fetch_add(1, std::memory_order_acq_rel);
  }
  P.cv.notify_all();
  job.call(job.ctx, 0, job.slots);
  // Close: no helper starts after this; wait for those that joined.
  job.ticket.store(job.slots, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(P.m);
    P.open.erase(std::find(P.open.begin(), P.open.end(), &job));
  }
  for (int spin = 0; job.joined.load(std::memory_order_acquire) > 0; ++spin) relax(spin);
}

}  // namespace detail
}  // namespace tn::cpu
