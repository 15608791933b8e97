// Better Auth in the browser. No baseURL: it talks to the app's own origin (/api/auth/*),
// so the same build works on any host and port. jwtClient() adds `authClient.token()`.
import { createAuthClient } from 'better-auth/react';
import { jwtClient } from 'better-auth/client/plugins';
import type { TokenSource } from './api-client';

export const authClient = createAuthClient({ plugins: [jwtClient()] });

/** The API client's token source: a fresh JWT for the current session, or null if signed out. */
export const betterAuthToken: TokenSource = async () => {
  const { data, error } = await authClient.token();
  if (error) {
    if (error.status === 401) return null;
    throw new Error(error.message ?? `could not get a token (HTTP ${error.status})`);
  }
  return data?.token ?? null;
};
