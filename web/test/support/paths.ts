import { fileURLToPath } from 'node:url';

/** The monorepo root, whatever the working directory of the test run. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const webDir = fileURLToPath(new URL('../../', import.meta.url));
