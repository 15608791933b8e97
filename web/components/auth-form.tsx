'use client';
// Sign-in and sign-up with email + password through Better Auth's client.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth-client';

export function AuthForm({ mode, notice }: { mode: 'sign-in' | 'sign-up'; notice?: string | undefined }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signingUp = mode === 'sign-up';

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setPending(true);
    setError(null);
    try {
      const { error: failure } = signingUp
        ? await authClient.signUp.email({ email, password, name: String(form.get('name') ?? '').trim() || email })
        : await authClient.signIn.email({ email, password });
      if (failure) {
        setError(failure.message ?? `Could not ${signingUp ? 'sign up' : 'sign in'} (HTTP ${failure.status}).`);
        return;
      }
      router.replace('/');
      router.refresh();
    } catch {
      setError('The server could not be reached. Check that the app is running and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card narrow">
      <h1>{signingUp ? 'Create an account' : 'Sign in'}</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={onSubmit} className="stack">
        {signingUp && (
          <label>
            Name
            <input name="name" autoComplete="name" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            minLength={8}
            required
          />
        </label>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Please wait…' : signingUp ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        {signingUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </section>
  );
}
