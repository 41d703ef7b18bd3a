/**
 * Reading a checkpoint is written once, as generators, and run two ways. A step yields
 * `undefined` at a pause point (a slice of parsing or conversion is done) or a ReadRequest (bytes
 * it needs from the file). `runSync` reads with blocking calls and never pauses; `runAsync` reads
 * through libuv's thread pool and hands the event loop back whenever a slice of work has run for
 * longer than SLICE_MS, so a loadAsync of a large header never stalls a server.
 */
import { setImmediate as nextTurn } from 'timers/promises';

/** Bytes the step needs: fill `target` from the file at `position`. */
export interface ReadRequest {
  target: Uint8Array;
  position: number;
}

export type Work<T> = Generator<ReadRequest | undefined, T, void>;

/** Synchronous and asynchronous ways to fill a ReadRequest (exactly, or throw). */
export interface SyncReader {
  read(req: ReadRequest): void;
}
export interface AsyncReader {
  read(req: ReadRequest): Promise<void>;
}

/** Longest stretch of work between two turns of the event loop in runAsync. */
const SLICE_MS = 4;

export function runSync<T>(work: Work<T>, reader?: SyncReader): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (step.value !== undefined) reader!.read(step.value);
  }
}

export async function runAsync<T>(work: Work<T>, reader?: AsyncReader): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (step.value !== undefined) {
      await reader!.read(step.value);
      sliceStart = performance.now();
    } else if (performance.now() - sliceStart > SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
