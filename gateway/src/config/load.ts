// Reading the config file from disk; every failure, the file's included, is a ConfigError.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { parseConfig, type LoadedConfig } from './parse.js';
import { FILE_PATH } from './problems.js';

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError([{ path: FILE_PATH, message: `cannot read ${file}: ${why}` }]);
  }
  return parseConfig(text, env);
}
