// scripts/ensure-system-packages.sh against a fake system: a PATH holding only stand-ins for
// the packages' commands, `id` (root or not) and `apt-get` (which records its calls and
// "installs" by creating the commands).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../support/compose.js';

const SCRIPT = `${REPO_DIR}scripts/ensure-system-packages.sh`;
const which = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
const BASH = which('bash');
const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

interface FakeSystem { root: boolean; aptGet: boolean; installed: string[]; aptFails?: boolean }

/** Returns the PATH of the fake system and the file where apt-get logs its arguments. */
function fakeSystem({ root, aptGet, installed, aptFails = false }: FakeSystem): { bin: string; aptLog: string } {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-ensure-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  const tools = join(dir, 'tools'); // what the fake apt-get itself needs, and nothing else
  mkdirSync(bin);
  mkdirSync(tools);
  symlinkSync(which('chmod'), join(tools, 'chmod'));
  const aptLog = join(dir, 'apt.log');
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  for (const command of installed) script(command, 'exit 0');
  script('id', `echo ${root ? 0 : 1000}`);
  if (aptGet) {
    script('apt-get', [
      `echo "$*" >> '${aptLog}'`,
      aptFails ? 'exit 100' : '',
      'if [ "$1" = install ]; then for p in "$@"; do case "$p" in -*|install) ;; *) printf "#!/bin/sh\\n" > "${0%/*}/$p"; chmod +x "${0%/*}/$p" ;; esac; done; fi',
    ].join('\n'));
  }
  return { bin: `${bin}:${tools}`, aptLog };
}

function run(bin: string, args: string[] = []) {
  const result = spawnSync(BASH, [SCRIPT, ...args], { encoding: 'utf8', timeout: 10_000, env: { PATH: bin } });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

const aptCalls = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

describe('scripts/ensure-system-packages.sh', () => {
  it('does nothing, silently, when every command is there', () => {
    const { bin, aptLog } = fakeSystem({ root: true, aptGet: true, installed: ['chromium', 'redis-server', 'haproxy'] });
    expect(run(bin)).toEqual({ status: 0, stderr: '', stdout: '' });
    expect(aptCalls(aptLog)).toEqual([]);
  });

  it('as root, installs only what is missing', () => {
    const { bin, aptLog } = fakeSystem({ root: true, aptGet: true, installed: ['chromium'] });
    const result = run(bin);
    expect(result.status).toBe(0);
    expect(aptCalls(aptLog)).toEqual(['update -qq', 'install -y -qq --no-install-recommends redis-server haproxy']);
    expect(run(bin).status).toBe(0);
    expect(aptCalls(aptLog)).toHaveLength(2);
  });

  it('checks the extra packages it is given', () => {
    const { bin, aptLog } = fakeSystem({ root: true, aptGet: true, installed: ['chromium', 'redis-server', 'haproxy'] });
    expect(run(bin, ['docker-compose']).status).toBe(0);
    expect(aptCalls(aptLog)).toEqual(['update -qq', 'install -y -qq --no-install-recommends docker-compose']);
  });

  it('not as root, names what is missing and the one command to run', () => {
    const { bin, aptLog } = fakeSystem({ root: false, aptGet: true, installed: ['chromium'] });
    const result = run(bin);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('missing: redis-server haproxy — run: sudo apt-get update && sudo apt-get install -y redis-server haproxy');
    expect(aptCalls(aptLog)).toEqual([]);
  });

  it('without apt-get, names what is missing', () => {
    const { bin } = fakeSystem({ root: true, aptGet: false, installed: ['redis-server', 'haproxy'] });
    const result = run(bin);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^missing: chromium — install them with your package manager \(on Debian: sudo apt-get update && sudo apt-get install -y chromium\)/);
  });

  it('fails when apt-get fails', () => {
    const { bin } = fakeSystem({ root: true, aptGet: true, installed: [], aptFails: true });
    expect(run(bin).status).not.toBe(0);
  });
});
