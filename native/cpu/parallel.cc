#include "parallel.h"

#include <atomic>
#include <cstdlib>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

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

}  // namespace tn::cpu
