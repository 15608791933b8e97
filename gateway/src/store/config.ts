// store.redis_url: where replicas share revocations (and rate-limit counters). Optional:
// without it every process keeps its own state in memory. The URL may carry a password, so no
// message here ever echoes it.
import { isLoopbackHost } from '../config/network.js';
import type { Problems } from '../config/problems.js';
import { maybe, readSection, readString, type Mapping, type Reader } from '../config/read.js';

export interface StoreConfig {
  /** redis:// or rediss:// URL; undefined = in memory, per process. */
  readonly redisUrl?: string;
}

const DB_PATH = /^\/(?:[0-9]|1[0-5])?$/;

function readRedisUrl(fromEnv: ReadonlySet<string>): Reader<string> {
  return (value, path, p) => {
    // Empty means "no store", so `redis_url: ${REDIS_URL:-}` makes the store a deployment choice.
    const text = readString({ allowEmpty: true })(value, path, p);
    if (text === undefined || text === '') return text;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      p.add(path, 'must be a redis://host:port or rediss://host:port URL');
      return undefined;
    }
    const wrong: string[] = [];
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') wrong.push(`must use redis:// or rediss:// (TLS), not ${url.protocol.slice(0, -1)}`);
    else {
      if (url.hostname === '') wrong.push('must name a host (redis://host:port)');
      if (!DB_PATH.test(url.pathname === '' ? '/' : url.pathname)) wrong.push('may only have a database number 0-15 as its path (redis://host:6379/0)');
      if (url.search !== '' || text.includes('?')) wrong.push('must not have a query string: the gateway sets the connection options itself');
      if (url.hash !== '' || text.includes('#')) wrong.push('must not have a fragment ("#...")');
    }
    for (const w of wrong) p.add(path, w);
    if (wrong.length > 0) return undefined;
    if (url.password !== '' && !fromEnv.has(path)) {
      p.warn(path, 'the Redis password is written in the config file itself; prefer redis_url: ${REDIS_URL}');
    }
    if (url.protocol === 'redis:' && !isLoopbackHost(url.hostname)) {
      p.warn(path, 'plain redis:// to another host: revocations, counters and the password travel unencrypted; use rediss://');
    }
    return text;
  };
}

export function readStore(root: Mapping, p: Problems, fromEnv: ReadonlySet<string>): StoreConfig | undefined {
  const raw = readSection(root, 'store', '', p, ['redis_url']);
  if (!raw) return undefined;
  const redisUrl = maybe(raw, 'redis_url', 'store', p, readRedisUrl(fromEnv));
  if (redisUrl.present && redisUrl.value === undefined) return undefined;
  return redisUrl.value === undefined || redisUrl.value === '' ? {} : { redisUrl: redisUrl.value };
}

/** Only for messages and logs: the URL without its user name and password. */
export function redactedRedisUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return '(unparsable url)';
  }
}
