import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { getAuth } from '@/lib/auth';

export default async function SignUpPage() {
  const requestHeaders = await headers(); // request-time first: nothing here runs at build
  const session = await (await getAuth()).api.getSession({ headers: requestHeaders });
  if (session) redirect('/');
  return <AuthForm mode="sign-up" />;
}
