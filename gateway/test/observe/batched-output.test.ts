// The log's stdout writer: every line arrives, in order, in few writes; what is pending when the
// process exits is written; a reader that does not keep up costs dropped lines (counted), not
// unbounded memory; a closed stdout never crashes the gateway.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchedOutput } from '../../src/observe/batched-output.js';
import { eventually } from '../support/eventually.js';

const MODULE = fileURLToPath(new URL('../../dist/observe/batched-output.js', import.meta.url));

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'batched-output-')), 'out.log');
  return { path, fd: openSync(path, 'w') };
}

describe('batched output', () => {
  it('writes every line in order, a batch at a time, without waiting for the interval once a batch is full', async () => {
    const { path, fd } = tempFile();
    const out = new BatchedOutput({ fd, batchChars: 1024, flushMs: 60_000 });
    const lines = Array.from({ length: 2000 }, (_, i) => `{"n":${i},"msg":"request"}\n`);
    for (const line of lines) out.write(line);
    // All but the tail under one batch leave without the (minute-long) interval.
    await eventually(() => readFileSync(path, 'utf8').length, (written) => written > lines.join('').length - 1024);
    out.flushSync();
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
    closeSync(fd);
  });

  it('whenFlushed() resolves once everything written so far is out, a write on its way included (what exit awaits)', async () => {
    const { path, fd } = tempFile();
    const out = new BatchedOutput({ fd, batchChars: 64, flushMs: 60_000 });
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
    for (const line of text) out.write(line); // batches go out while more arrive
    await out.whenFlushed();
    expect(readFileSync(path, 'utf8')).toBe(text.join(''));
    await out.whenFlushed(); // nothing pending: at once
    out.flushSync();
    closeSync(fd);
  });

  it('flushes a lone line within the interval', async () => {
    const { path, fd } = tempFile();
    const out = new BatchedOutput({ fd, flushMs: 20 });
    out.write('one\n');
    await eventually(() => readFileSync(path, 'utf8'), (written) => written === 'one\n');
    out.flushSync();
    closeSync(fd);
  });

  it('beyond maxPendingChars drops and counts lines, and says so once writing caught up', async () => {
    const { path, fd } = tempFile();
    const dropped: number[] = [];
    const out = new BatchedOutput({ fd, batchChars: 1 << 20, flushMs: 60_000, maxPendingChars: 100, onDropped: (n) => dropped.push(n) });
    for (let i = 0; i < 30; i++) out.write('0123456789\n'); // 11 chars each: 9 fit
    out.flush();
    await eventually(() => dropped.length, (told) => told > 0);
    expect(dropped).toEqual([21]);
    expect(readFileSync(path, 'utf8')).toBe('0123456789\n'.repeat(9));
    out.flushSync();
    closeSync(fd);
  });

  it('a process whose stdout reader went away neither crashes nor hangs, and what was pending at exit is written', async () => {
    const script = `
      const { BatchedOutput } = await import(${JSON.stringify(MODULE)});
      const out = new BatchedOutput({ fd: 1, flushMs: 5 });
      process.once('exit', () => { try { out.flushSync(); } catch {} });
      for (let i = 0; i < 3; i++) out.write('line ' + i + '\\n');
      if (process.argv[1] === 'close') { for (let i = 0; i < 5000; i++) out.write('x'.repeat(100) + '\\n'); setTimeout(() => process.exit(7), 200); }
    `;
    const run = (mode: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (mode === 'close') child.stdout.destroy();
        });
        child.on('exit', (code) => resolve({ code, stdout }));
      });
    const normal = await run('exit');
    expect(normal).toEqual({ code: 0, stdout: 'line 0\nline 1\nline 2\n' });
    // The reader closes the pipe: later writes fail with EPIPE, which is swallowed; the process
    // ends with its own exit code, not a crash.
    expect((await run('close')).code).toBe(7);
  });
});
