import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { getAuth } from '@/lib/auth';

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const requestHeaders = await headers(); // request-time first: nothing here runs at build
  const session = await (await getAuth()).api.getSession({ headers: requestHeaders });
  if (session) redirect('/');
  const { expired, deleted } = await searchParams;
  const notice = deleted
    ? 'Your account has been deleted.'
    : expired
      ? 'Your session has expired. Please sign in again.'
      : undefined;
  return <AuthForm mode="sign-in" notice={notice} />;
}
