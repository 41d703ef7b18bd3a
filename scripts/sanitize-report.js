#!/usr/bin/env node
// Reads the ASan/LSan/UBSan reports scripts/sanitize.sh collected and decides the run:
//  - any AddressSanitizer error or UBSan "runtime error" fails it (printed in full);
//  - a leak fails it only when the allocation was made by our addon: the first stack frame
//    outside the sanitizer runtime, libstdc++ and libc lies in tensornode.node (or in our
//    native/ sources). Node and V8 leave their own objects to the OS at exit; those are counted
//    and summarised, not failed on.
// usage: node scripts/sanitize-report.js LOGDIR ADDON_PATH
'use strict';
const fs = require('fs');
const path = require('path');

const [logs, addon] = process.argv.slice(2);
if (!logs) {
  console.error('usage: sanitize-report.js LOGDIR [ADDON_PATH]');
  process.exit(2);
}
const addonName = path.basename(addon || 'tensornode.node');
const files = fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => path.join(logs, f)) : [];

const RUNTIME = /libasan|libubsan|liblsan|libsanitizer|asan_|lsan_|libstdc\+\+|libc\.so|libgcc_s|\/libm\.so|ld-linux|malloc|calloc|realloc|operator new|__gnu_cxx::new_allocator|std::__new_allocator|std::allocator_traits/;

function isOurs(frame) {
  return frame.includes(addonName) || /\/native\/(addon|core|cpu|cuda)\//.test(frame);
}

let errors = 0;
let ourLeaks = 0;
let foreignLeaks = 0;
let foreignBytes = 0;
const processesWithReports = new Set();

for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  processesWithReports.add(file);
  const isUb = /runtime error:/.test(text);
  const isAsanError = /ERROR: AddressSanitizer/.test(text);
  if (isUb || isAsanError) {
    errors += 1;
    console.error(`\n==== ${isUb ? 'UBSan' : 'ASan'} error (${file}) ====\n${text.slice(0, 20000)}`);
    continue;
  }
  if (!/ERROR: LeakSanitizer/.test(text)) {
    if (text.trim()) console.error(`\n==== sanitizer output (${file}) ====\n${text.slice(0, 4000)}`);
    continue;
  }
  // Leak blocks: "Direct leak of N byte(s) in M object(s) allocated from:" + frames until a blank line.
  const blocks = text.split(/\n(?=(?:Direct|Indirect) leak of )/).filter((b) => /^(Direct|Indirect) leak of/.test(b));
  for (const block of blocks) {
    const bytes = Number(/leak of (\d+) byte/.exec(block)?.[1] ?? 0);
    const frames = block.split('\n').filter((l) => /^\s*#\d+ /.test(l));
    const first = frames.find((f) => !RUNTIME.test(f)) ?? frames[0] ?? '';
    if (isOurs(first)) {
      ourLeaks += 1;
      console.error(`\n==== leak from tensornode (${file}) ====\n${block.split('\n\n')[0]}`);
    } else {
      foreignLeaks += 1;
      foreignBytes += bytes;
    }
  }
}

console.log(
  `sanitizer reports: ${files.length} file(s); errors: ${errors}; leaks allocated by tensornode: ${ourLeaks}; ` +
    `Node/V8 exit-time leaks ignored: ${foreignLeaks} (${foreignBytes} bytes)`,
);
process.exit(errors > 0 || ourLeaks > 0 ? 1 : 0);
