// Mounts every Better Auth endpoint (sign-up, sign-in, sign-out, session, /token, /jwks)
// under /api/auth. The instance is created (and migrated) on the first request.
import { getAuth } from '@/lib/auth';

async function handle(request: Request): Promise<Response> {
  const auth = await getAuth();
  return auth.handler(request);
}

export { handle as GET, handle as POST };
