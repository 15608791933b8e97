import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The repo is an npm-workspaces monorepo: dependencies are hoisted to the root node_modules,
// so both Turbopack and output file tracing must look from the repo root.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const nextConfig: NextConfig = {
  // The Docker image runs the self-contained server (`.next/standalone/web/server.js`);
  // `next start` (npm start, tests) does not need it, so it is only switched on there.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  // better-sqlite3 is a native addon: load it with Node's require at runtime, never bundle it.
  serverExternalPackages: ['better-sqlite3'],
  poweredByHeader: false,
  reactStrictMode: true,
  // Cheap hardening for every page. (A CSP would need the gateway's origin in connect-src,
  // which is only known at run time; left to the deployment.)
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
