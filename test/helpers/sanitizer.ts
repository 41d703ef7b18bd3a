// scripts/sanitize.sh sets TENSORNODE_UNDER_SANITIZER. Under ASan the allocator owns RSS (shadow
// pages, the quarantine, pages never handed back), so RSS bounds are no leak measure in that run;
// LeakSanitizer and tn.memory()'s live counts are the checks there.
export const rssIsMeaningful = !process.env.TENSORNODE_UNDER_SANITIZER;
