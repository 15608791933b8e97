// Liveness + readiness for npm start, docker-compose and tests: 200 once Better Auth is built
// and its tables exist (so the gateway can fetch the JWKS right after).
import { getAuth } from '@/lib/auth';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  try {
    await getAuth();
    return Response.json({ status: 'ok' });
  } catch (err) {
    console.error('health check failed:', err instanceof Error ? err.message : err);
    return Response.json({ status: 'error' }, { status: 503 });
  }
}
