import net from 'node:net';

/**
 * A port that was free a moment ago. Only for servers whose own address must be known before
 * they start (Next.js: Better Auth's baseURL, the JWT issuer and the CORS origin all contain
 * it); everything else listens on port 0 and reports its address.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
