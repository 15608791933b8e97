'use client';
// "Delete my account", with a confirm step that asks for the password (Better Auth checks it,
// and it spares the "fresh session" rule for sessions older than a day). The server revokes the
// account's tokens at the gateway first and refuses the deletion if it cannot (lib/auth.ts);
// that refusal is shown here and the user stays signed in.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth-client';

export function DeleteAccount({ onDeleted }: { onDeleted: () => void }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    setPending(true);
    setError(null);
    try {
      const { error: failure } = await authClient.deleteUser({ password });
      if (failure) {
        setError(failure.message ?? `Your account could not be deleted (HTTP ${failure.status}).`);
        return;
      }
      onDeleted();
      router.replace('/sign-in?deleted=1');
      router.refresh();
    } catch {
      setError('The server could not be reached. Your account was not deleted.');
    } finally {
      setPending(false);
    }
  }

  if (!confirming) {
    return (
      <section className="danger-zone">
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete my account
        </button>
      </section>
    );
  }

  return (
    <section className="danger-zone card">
      <form onSubmit={onConfirm} className="stack" aria-label="Delete account">
        <p>
          <strong>Delete your account?</strong> You will be signed out everywhere, and the tokens already issued to
          you stop working at once. This cannot be undone.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <label>
          Your password, to confirm
          <input name="password" type="password" autoComplete="current-password" required autoFocus />
        </label>
        <div className="actions">
          <button type="submit" className="danger" disabled={pending}>
            {pending ? 'Deleting…' : 'Delete permanently'}
          </button>
          <button type="button" onClick={() => { setConfirming(false); setError(null); }} disabled={pending}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
