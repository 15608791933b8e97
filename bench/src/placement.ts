// Which cores each process of a benchmark runs on. Placement is part of the method: on a
// small VM an unpinned proxy competes with the upstream for the same core and the numbers
// measure the scheduler, not the proxy.

export interface Placement {
  readonly cpus: number;
  /** Cores for the service being proxied (upstream-todo, FastAPI). */
  readonly upstream: readonly number[];
  /** Cores for wrk / autocannon. */
  readonly loadgen: readonly number[];
  /** Cores for the gateway and for nginx (the thing being measured). */
  readonly proxy: readonly number[];
  readonly pinned: boolean;
  readonly note: string;
}

export function planPlacement(cpus: number, canPin: boolean): Placement {
  const all = Array.from({ length: Math.max(1, cpus) }, (_, i) => i);
  if (!canPin) {
    return { cpus, upstream: all, loadgen: all, proxy: all, pinned: false, note: 'taskset not found: nothing pinned, processes share every core (install util-linux for pinning)' };
  }
  if (cpus <= 1) {
    return { cpus, upstream: [0], loadgen: [0], proxy: [0], pinned: true, note: 'one core: everything shares it, so proxied numbers include contention with the upstream' };
  }
  if (cpus === 2) {
    return {
      cpus, upstream: [0], loadgen: [0], proxy: [1], pinned: true,
      note: 'two cores: the proxy (gateway or nginx) gets core 1 to itself; the load generator shares core 0 with the upstream, the same way for direct and proxied runs',
    };
  }
  if (cpus === 3) {
    return { cpus, upstream: [0], loadgen: [1], proxy: [2], pinned: true, note: 'three cores: upstream, load generator and proxy each on their own core' };
  }
  return { cpus, upstream: [0], loadgen: [1], proxy: [2, 3], pinned: true, note: 'upstream, load generator and proxy on separate cores (proxy on two)' };
}

export function cpuList(cores: readonly number[]): string {
  return cores.join(',');
}

export function describePlacement(p: Placement): string {
  if (!p.pinned) return p.note;
  return `upstream on core ${cpuList(p.upstream)}, load generator on core ${cpuList(p.loadgen)}, gateway/nginx on core ${cpuList(p.proxy)} (${p.note})`;
}

// Optional scheduling priority for every measured process (upstream, proxies, load generator).
// On a machine shared with other work, `--nice -10` (root only) lets the benchmark's processes
// win the CPU so the numbers describe them rather than the neighbours. Off by default.
let niceness: number | undefined;

export function setNiceness(n: number | undefined): void {
  niceness = n;
}

export function currentNiceness(): number | undefined {
  return niceness;
}

/** The argv that runs `command` pinned to `cores` (taskset) at the chosen priority (nice). */
export function pinnedCommand(command: string, args: readonly string[], cores: readonly number[] | undefined, nice = niceness): [string, string[]] {
  let argv = [command, ...args];
  if (nice !== undefined && nice !== 0) argv = ['nice', '-n', String(nice), ...argv];
  if (cores && cores.length) argv = ['taskset', '-c', cpuList(cores), ...argv];
  return [argv[0]!, argv.slice(1)];
}
