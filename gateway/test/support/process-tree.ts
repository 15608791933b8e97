// The processes a spawned gateway started itself (a cluster primary's workers), read from /proc:
// a test kills one the way a crash or the OOM killer would.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids whose parent is `pid` (Linux /proc; a process that ends meanwhile is skipped). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}
