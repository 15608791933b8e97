// The attacker of `npm run fairshare`: one signed-in user who asks for her own (large) task list
// on many connections and never reads a byte of the answers — the slow-read attack of THREATS.md
// family 10. Each socket that the gateway closes (cut off by limits.response_idle_timeout, or
// refused and closed) is replaced at once, so the pressure stays on for the whole window.
import { connect, type Socket } from 'node:net';

export interface SlowReaderStats {
  /** Connections opened over the attack, replacements included. */
  readonly opened: number;
  /** Connections the gateway closed while the attack ran. */
  readonly closedByGateway: number;
}

export interface SlowReaders {
  stop(): Promise<SlowReaderStats>;
}

/** Opens `connections` sockets to `baseUrl`, each sending one GET for `path` and never reading. */
export function startSlowReaders(baseUrl: string, path: string, token: string, connections: number): SlowReaders {
  const { hostname, port, host } = new URL(baseUrl);
  const live = new Set<Socket>();
  let opened = 0;
  let closedByGateway = 0;
  let stopping = false;

  const open = (): void => {
    if (stopping) return;
    opened++;
    const socket = connect({ host: hostname, port: Number(port) });
    live.add(socket);
    socket.on('error', () => undefined); // a reset is one way of being cut off
    socket.once('connect', () => {
      socket.pause(); // never read: the kernel buffers fill, then the gateway must pause the upstream
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    });
    socket.once('close', () => {
      live.delete(socket);
      if (stopping) return;
      closedByGateway++;
      open();
    });
  };

  for (let i = 0; i < connections; i++) open();
  return {
    async stop() {
      stopping = true;
      const closing = [...live].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      for (const socket of live) socket.destroy();
      await Promise.all(closing);
      return { opened, closedByGateway };
    },
  };
}
