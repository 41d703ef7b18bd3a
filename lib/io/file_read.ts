/**
 * Reading safetensors files. Only regular files are read: the path is opened without blocking
 * (O_NONBLOCK, so a FIFO with no writer cannot hang the open), the open descriptor is checked
 * with fstat (no race with a stat of the path), and no more bytes are read than its size says.
 * loadFile reads through libuv's thread pool and parses and converts in slices that hand the
 * event loop back (work.ts); loadFileSync runs the same steps with blocking reads.
 */
import { type Stats, closeSync, constants, fstatSync, openSync, promises as fsp, readSync } from 'fs';
import { type DecodedSafetensors, decodeWork } from './decode';
import { fail, prefix } from './errors';
import { type ReadRequest, runAsync, runSync } from './work';

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads and decodes a safetensors file without blocking the event loop; errors name `path`.
 * @example const { tensors, metadata } = await loadFile('model.safetensors');
 */
export async function loadFile(path: string): Promise<DecodedSafetensors> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, OPEN_FLAGS);
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    const size = regularFileSize(path, await handle.stat());
    const reader = { read: (req: ReadRequest) => readFully(path, req, (buf, off, len, pos) => handle.read(buf, off, len, pos).then((r) => r.bytesRead)) };
    return await runAsync(decodeWork({ length: size }, path), reader);
  } finally {
    await handle.close();
  }
}

/**
 * Synchronous loadFile.
 * @example const { tensors } = loadFileSync('model.safetensors');
 */
export function loadFileSync(path: string): DecodedSafetensors {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    const size = regularFileSize(path, fstatSync(fd));
    const reader = { read: (req: ReadRequest) => readFullySync(path, req, fd) };
    return runSync(decodeWork({ length: size }, path), reader);
  } finally {
    closeSync(fd);
  }
}

function cannotRead(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EISDIR') return notRegular(path, 'a directory');
  return new Error(`${prefix(path)}: cannot be read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
}

function regularFileSize(path: string, st: Stats): number {
  if (st.isFile()) return st.size;
  const what = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';
  return notRegular(path, what);
}

function notRegular(path: string, what: string): never {
  throw fail(path, `is ${what}, not a regular file; checkpoints are read from regular files only`);
}

/** Fills req.target from req.position; a file that ends early changed while it was read. */
async function readFully(path: string, req: ReadRequest, read: (buf: Uint8Array, off: number, len: number, pos: number) => Promise<number>): Promise<void> {
  for (let done = 0; done < req.target.length; ) {
    const got = await read(req.target, done, req.target.length - done, req.position + done);
    if (got === 0) throw shortRead(path, req, done);
    done += got;
  }
}

function readFullySync(path: string, req: ReadRequest, fd: number): void {
  for (let done = 0; done < req.target.length; ) {
    const got = readSync(fd, req.target, done, req.target.length - done, req.position + done);
    if (got === 0) throw shortRead(path, req, done);
    done += got;
  }
}

function shortRead(path: string, req: ReadRequest, done: number): Error {
  return fail(path, `the file ended at byte ${req.position + done} while ${req.target.length} bytes from ${req.position} were read: it changed while it was being read`);
}
