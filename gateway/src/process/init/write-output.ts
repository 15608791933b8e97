// Writing --out: all or nothing, and never over an existing file without --force. The text goes
// to a temporary file beside the target first, so a failure leaves no half-written config.
import { randomBytes } from 'node:crypto';
import { link, lstat, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { refusal } from './init-error.js';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export async function writeConfigFile(file: string, text: string, force: boolean): Promise<void> {
  const existing = await lstat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw refusal(`cannot write ${file}: it is a directory`);
  if (existing && !force) throw refusal(`${file} already exists; nothing was written (pass --force to overwrite it)`);

  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
  } catch (error) {
    throw refusal(`cannot write ${file}: ${reason(error)}`);
  }
  try {
    if (force) {
      await rename(temp, file);
      return;
    }
    // link() fails if the target appeared meanwhile: no other writer's file is ever replaced.
    await link(temp, file).catch(async (error: NodeJS.ErrnoException) => {
      // A file system without hard links: an exclusive create keeps the no-overwrite promise.
      if (!NO_HARD_LINKS.has(error.code ?? '')) throw error;
      await writeFile(file, text, { flag: 'wx' });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw refusal(`${file} already exists; nothing was written (pass --force to overwrite it)`);
    throw refusal(`cannot write ${file}: ${reason(error)}`);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'its directory does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  return (error as Error).message;
}
