/**
 * Writing checkpoints so that a failed or concurrent save never leaves a torn file: the bytes go
 * to a temporary file in the target's directory (a unique name per call), are flushed to disk
 * (fsync), and the temporary is renamed over the target, which is atomic on POSIX file systems.
 * On any failure the temporary is removed and whatever was at the target stays as it was. Of
 * several saves to one path running at once, the last rename wins and the file is that save's,
 * whole.
 */
import { randomBytes } from 'crypto';
import { closeSync, fsyncSync, openSync, promises as fsp, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'fs';
import { basename, dirname, join } from 'path';
import { prefix } from './errors';

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename).
 * @example writeFileAtomicSync('model.safetensors', bytes);
 */
export function writeFileAtomicSync(path: string, bytes: Uint8Array): void {
  const target = resolveTarget(path);
  const temp = tempPath(target);
  let fd = -1;
  try {
    fd = openSync(temp, 'wx', targetMode(target));
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, target);
  } catch (e) {
    if (fd >= 0) closeQuietly(fd);
    removeQuietly(temp);
    throw cannotWrite(path, e);
  }
}

/**
 * Asynchronous writeFileAtomicSync: the writes, fsync and rename run in libuv's thread pool.
 * @example await writeFileAtomic('model.safetensors', bytes);
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const target = resolveTarget(path);
  const temp = tempPath(target);
  let handle: fsp.FileHandle | null = null;
  try {
    handle = await fsp.open(temp, 'wx', targetMode(target));
    for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
    await handle.sync();
    await handle.close();
    handle = null;
    await fsp.rename(temp, target);
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => undefined);
    await fsp.unlink(temp).catch(() => undefined);
    throw cannotWrite(path, e);
  }
}

/** A symlink is written through (its target replaced), as an in-place write would. */
function resolveTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

let counter = 0;

/** `.<name>.<pid>.<counter><random>.tmp` beside the target: unique per call and process. */
function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${(counter++).toString(36)}${randomBytes(4).toString('hex')}.tmp`);
}

/** A replaced file keeps its permission bits; a new one gets 0o666 less the umask. */
function targetMode(target: string): number {
  try {
    return statSync(target).mode & 0o7777;
  } catch {
    return 0o666;
  }
}

function cannotWrite(path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const why = err?.code === 'ENOENT' ? `the directory ${dirname(path)} does not exist` : e instanceof Error ? e.message : String(e);
  return new Error(`${prefix(path)}: cannot be written (${why}); any file already at that path is unchanged`, { cause: e });
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the write error is the one to report
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
